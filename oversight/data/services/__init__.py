"""The one way to write data: every import goes through a function here.

Each import checks all of its files before it writes anything, then writes in one database
transaction: a failure (or a kill) part-way leaves the database exactly as it was. Each file
becomes an ``ImportBatch`` recording its name, checksum, size, row counts, who and when.
Importing a file already imported changes nothing. A new version of a file already imported
(the same force and month for data.police.uk; the same file name otherwise) replaces the old
one, which is kept as a batch with status "replaced"; the new batch records the difference.

One module per source: ``police_uk`` (street-level files), ``lookups``, ``population``,
``ons`` (police force area tables), ``workforce``, ``manual`` (survey and typed-in values);
``common`` and ``revisable`` hold what they share, ``rollback`` lists and rolls back batches.
The public names are re-exported here, so ``from oversight.data.services import X`` works.
"""

from oversight.data.services.common import (
    ImportedFile,
    ImportResult,
    Kind,
    ProgressReporter,
    Status,
    ensure_forces,
    known_force_names,
)
from oversight.data.services.lookups import import_lookups
from oversight.data.services.manual import (
    ManualValue,
    ManualValueError,
    check_manual_value,
    record_manual_value,
)
from oversight.data.services.ons import ONS_KEY, import_ons
from oversight.data.services.police_uk import (
    STREET_COUNT_FIELDS,
    STREET_ROW_FIELDS,
    import_police_uk,
    street_difference,
)
from oversight.data.services.population import import_population
from oversight.data.services.rollback import (
    BATCH_EXPORT_COLUMNS,
    batch_rows,
    recompute_current_plan,
    rollback_batch,
)
from oversight.data.services.workforce import import_workforce

__all__ = [
    "BATCH_EXPORT_COLUMNS",
    "ONS_KEY",
    "STREET_COUNT_FIELDS",
    "STREET_ROW_FIELDS",
    "ImportResult",
    "ImportedFile",
    "Kind",
    "ManualValue",
    "ManualValueError",
    "ProgressReporter",
    "Status",
    "batch_rows",
    "check_manual_value",
    "ensure_forces",
    "import_lookups",
    "import_ons",
    "import_police_uk",
    "import_population",
    "import_workforce",
    "known_force_names",
    "record_manual_value",
    "recompute_current_plan",
    "rollback_batch",
    "street_difference",
]
