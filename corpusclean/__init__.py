"""corpusclean: raw web scrapes in, a clean, versioned, deduplicated training corpus out.

Library use::

    import corpusclean
    result = corpusclean.clean(raw_bytes)            # one document
    result.text, result.meta, result.trace, result.dropped

    pipeline = corpusclean.Pipeline({"stages": ["decode", "script"]})
    for doc in pipeline.process(documents): ...      # a batch of Document objects

    for doc in corpusclean.open_version("clean"):    # the latest version's documents
        ...
"""

__version__ = "0.1.0"

from corpusclean.api import CleanResult, clean  # noqa: E402
from corpusclean.config import ConfigError  # noqa: E402
from corpusclean.document import Document  # noqa: E402
from corpusclean.pipeline import Pipeline  # noqa: E402
from corpusclean.stages import REGISTRY as STAGES  # noqa: E402
from corpusclean.store.versions import iter_records, open_version  # noqa: E402

__all__ = [
    "__version__", "clean", "CleanResult", "ConfigError", "Document", "Pipeline", "STAGES",
    "open_version", "iter_records",
]
