"""The ``kg`` commands, one module per group; :mod:`kg.cli` adds them to the group."""
