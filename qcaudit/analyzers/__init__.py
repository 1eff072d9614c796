"""The built-in analyzers, one module each. Every module here registers its analyzer class
with :func:`qcaudit.registry.register`; :func:`qcaudit.registry.analyzers` finds them by
scanning this package, so nothing else lists them."""
