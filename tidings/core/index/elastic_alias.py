"""Indices reached through an alias: create the first, rebuild-and-switch, drop.

The article index (``<alias>-vN``) and the story index (``<alias>-stories-vN``) live the same
way: searches and writes name the alias, and a rebuild fills the next concrete index, then
moves the alias to it in one ``_aliases`` request. Every request goes through
:meth:`ElasticCluster.reaching`, so a cluster fault is one :class:`IndexUnavailable`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from typing import Any

from elasticsearch import BadRequestError, NotFoundError

from tidings.core.index import elastic_queries as eq
from tidings.core.index.elastic_cluster import ElasticCluster, error_type

#: Bulk actions that write one batch of records into the named concrete index.
Actions = Callable[[str, list[dict[str, Any]]], list[dict[str, Any]]]


def concrete_indices(cluster: ElasticCluster, alias: str) -> list[str]:
    """The concrete indices ``alias`` points to now (none before the first write)."""
    try:
        return sorted(cluster.client.indices.get_alias(name=alias).body)
    except NotFoundError:
        return []


def create_first(cluster: ElasticCluster, alias: str, body: dict[str, Any]) -> None:
    """Create ``<alias>-v1`` from ``body`` (which names the alias); safe if another process
    created it meanwhile, or left it without its alias: then only the alias is added."""
    concrete = eq.concrete_index(alias)
    with cluster.reaching():
        try:
            cluster.client.indices.create(index=concrete, **body)
        except BadRequestError as exc:
            if error_type(exc) != "resource_already_exists_exception":
                raise
            cluster.client.indices.put_alias(index=concrete, name=alias)


def rebuild_into(
    cluster: ElasticCluster,
    alias: str,
    body: dict[str, Any],
    batches: Iterable[list[dict[str, Any]]],
    actions: Actions,
    serving: dict[str, Any] | None = None,
) -> int:
    """Fill a new concrete index (``body``, no alias) from ``batches``, then move ``alias`` to
    it atomically and delete the old one; returns the number of records loaded.

    Searches keep reading the old index until one ``_aliases`` request removes the alias from
    it and adds it to the new one. ``serving`` settings (refreshes, replicas back on) are put
    on the new index before the switch. A failure deletes the half-built index and leaves the
    alias where it was.
    """
    with cluster.reaching():
        old = concrete_indices(cluster, alias)
        new = eq.next_concrete_index(alias, old)
        cluster.client.indices.create(index=new, **body)
        total = 0
        try:
            for batch in batches:
                cluster.bulk(actions(new, batch), refresh=False)
                total += len(batch)
            if serving is not None:
                cluster.client.indices.put_settings(index=new, settings=serving)
            cluster.client.indices.refresh(index=new)
            cluster.client.indices.update_aliases(**eq.alias_switch(alias, old, new))
        except BaseException:
            with contextlib.suppress(Exception):  # never leave a half-built index behind
                cluster.client.indices.delete(index=new, ignore_unavailable=True)
            raise
        if old:
            cluster.client.indices.delete(index=old, ignore_unavailable=True)
    return total


def drop(cluster: ElasticCluster, alias: str) -> None:
    """Delete every concrete index behind ``alias``, and with them the alias."""
    with cluster.reaching():
        names = {eq.concrete_index(alias), *concrete_indices(cluster, alias)}
        cluster.client.indices.delete(index=sorted(names), ignore_unavailable=True)
