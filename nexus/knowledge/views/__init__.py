"""Web pages of the knowledge base."""
