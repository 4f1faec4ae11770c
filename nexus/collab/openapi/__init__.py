"""OpenAPI handling with no Django in it: load, validate, resolve, diff, examples."""
