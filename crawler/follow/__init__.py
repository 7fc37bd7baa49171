"""Link following from home and section pages: link shapes, and the article/listing verdict."""
