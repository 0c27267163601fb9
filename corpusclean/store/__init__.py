"""The versioned store: immutable ``vNNNN`` directories under an output root."""

from corpusclean.store.versions import VersionStore, open_version

__all__ = ["VersionStore", "open_version"]
