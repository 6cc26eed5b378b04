"""Errors the library raises; the CLI turns each into one line and an exit code.

Every message says what went wrong, where (file, parameter, query name or
store URL) and what to do about it.
"""

from __future__ import annotations


class KgError(Exception):
    """Base of every error the library raises on purpose."""

    exit_code = 1


class CorpusError(KgError):
    """An article or its metadata cannot be read."""


class OntologyError(KgError):
    """The ontology, registry or shapes are missing or broken."""


class QueryError(KgError):
    """A canned query name, a parameter or ad-hoc SPARQL is wrong."""


class BuildMissingError(KgError):
    """The command needs a build that is not there."""


class StoreError(KgError):
    """A SPARQL endpoint or Graph Store is unreachable or refused a request."""

    exit_code = 3


class BuildBusyError(KgError):
    """Another kg command is writing the same build folder."""
