"""Charts as data: a computed result becomes an SVG (and PNG) chart, its data table and a
one-sentence summary. No Django here; pages and reports read the same ``Chart``."""

from oversight.charts.base import Chart, TableRow
from oversight.charts.peer_chart import peer_chart
from oversight.charts.spc_chart import spc_chart

__all__ = ["Chart", "TableRow", "peer_chart", "spc_chart"]
