"""REST endpoints of the knowledge base (registered in nexus/api.py)."""
