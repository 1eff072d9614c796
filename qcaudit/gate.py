"""The CI gate: thresholds over report metrics -> checks, verdict, JUnit XML, CI annotations.

A threshold is ``min_<metric>`` (the metric must be >= it) or ``max_<metric>`` (<= it),
where ``<metric>`` is a metric name an analyzer declares, e.g. ``min_distinct_2``,
``max_self_bleu_4``, ``max_exact_duplicate_rate``. A table instead of a number sets one
threshold per key on the metric ``<metric>.<key>``, e.g. per benchmark:
``[gate.max_benchmark_leak_rate]`` ``gsm8k = 0.0`` judges ``benchmark_leak_rate.gsm8k``. A threshold whose metric is missing from
the report fails: a gate must never pass because a check could not run. One ``[gate]`` table
may serve ``qcaudit report`` and ``qcaudit drift`` both: drift's thresholds judge drift runs
only, the others audits only (:func:`thresholds_for`).
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from qcaudit.config import gateable_metrics
from qcaudit.errors import QcauditError
from qcaudit.registry import findings
from qcaudit.untrusted import code_point, visible

PASS, FAIL, NO_THRESHOLDS = "pass", "fail", "no thresholds"


class Check(BaseModel):
    """One threshold judged: ``value`` is None when the report lacks the metric (the check
    then fails)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    threshold_key: str
    metric: str
    threshold: float
    value: float | None
    passed: bool
    #: What lies behind a failed check's value, where its analyzer says (the benchmark items
    #: found in the data); None for a passed check, and in reports before 2026-12-08.
    finding: str | None = None

    @property
    def message(self) -> str:
        op = ">=" if self.threshold_key.startswith("min_") else "<="
        if self.value is None:
            return f"{self.metric} is missing from the report: it needs {self.requirement} (threshold {op} {self.threshold:g})"
        return f"{self.metric} = {self.value:.6g}, needs {op} {self.threshold:g}" + (f" ({self.finding})" if self.finding else "")

    @property
    def requirement(self) -> str:
        """What reports the metric, with what it needs beyond that (its spec's ``needs``), and
        the key of a per-key threshold (a benchmark, a detector, a strategy)."""
        base, _, key = self.threshold_key.partition("_")[2].partition(".")
        owner, spec = gateable_metrics().get(base, (self.metric.partition(".")[0], None))  # (a report of another version)
        reporter = "qcaudit drift" if owner == "drift" else f"the {owner} analyzer"
        needs = f" with {spec.needs}" if spec is not None and spec.needs else ""
        return reporter + needs + (f" to report it for {key!r}" if key else "")


class GateResult(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    verdict: Literal["pass", "fail", "no thresholds"]
    checks: list[Check]

    @property
    def failed(self) -> bool:
        return self.verdict == FAIL

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


def thresholds_for(thresholds: dict[str, Any], drift: bool) -> dict[str, Any]:
    """The thresholds that judge a drift run (``drift``) or an audit: each judges only the kind
    of report that holds its metric."""
    known = gateable_metrics()
    return {key: value for key, value in thresholds.items() if (known[key.partition("_")[2]][0] == "drift") == drift}


def recorded_thresholds(result: GateResult) -> dict[str, float | dict[str, float]]:
    """The thresholds a saved report was judged by, as a ``[gate]`` table holds them
    (``max_benchmark_leak_rate.gsm8k`` back to ``{"max_benchmark_leak_rate": {"gsm8k": ...}}``)."""
    table: dict[str, Any] = {}
    for check in result.checks:
        key, _, sub = check.threshold_key.partition(".")
        if sub:
            table.setdefault(key, {})[sub] = check.threshold
        else:
            table[key] = check.threshold
    return table


def evaluate(metrics: dict[str, dict[str, Any]], thresholds: dict[str, float | dict[str, float]],
             tables: dict[str, dict[str, Any]] | None = None) -> GateResult:
    """Judge ``metrics`` ({analyzer: {name: {"value": ...}}}) against ``thresholds``; a failed
    check says what lies behind its value where the report's ``tables`` tell (:func:`findings`)."""
    known = gateable_metrics()
    found = findings(tables) if tables else {}
    checks = []
    for key, setting in sorted(thresholds.items()):
        op, _, base = key.partition("_")
        analyzer = known[base][0]
        per_key = setting if isinstance(setting, dict) else {"": setting}
        for sub, threshold in sorted(per_key.items()):
            name = f"{base}.{sub}" if sub else base
            entry = metrics.get(analyzer, {}).get(name)
            value = None if entry is None else _number(f"{analyzer}.{name}", entry)
            passed = value is not None and (value >= threshold if op == "min" else value <= threshold)
            metric = f"{analyzer}.{name}"
            checks.append(Check(threshold_key=f"{key}.{sub}" if sub else key, metric=metric, threshold=threshold,
                                value=value, passed=passed, finding=None if passed else found.get(metric)))
    if not checks:
        return GateResult(verdict=NO_THRESHOLDS, checks=[])
    return GateResult(verdict=PASS if all(c.passed for c in checks) else FAIL, checks=checks)


def _number(metric: str, entry: Any) -> float:
    """A metric's value as a finite number; anything else (a string, NaN, a list) in a report
    is bad input."""
    value = entry.get("value") if isinstance(entry, dict) else None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise QcauditError(f"metric {metric} in the report is {value!r}, not a finite number; the report is damaged: audit again")
    return value


def junit_xml(result: GateResult) -> str:
    """One JUnit test case per check, as CI systems display test results."""
    failures = sum(not c.passed for c in result.checks)
    suite = ET.Element(
        "testsuite", name="qcaudit gate", tests=str(len(result.checks)), failures=str(failures)
    )
    for check in result.checks:
        case = ET.SubElement(suite, "testcase", classname="qcaudit.gate", name=_xml_text(check.threshold_key))
        if not check.passed:
            message = _xml_text(check.message)
            ET.SubElement(case, "failure", message=message).text = message
    suites = ET.Element("testsuites")
    suites.append(suite)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


#: Characters XML 1.0 cannot hold, escaped or not, that :func:`~qcaudit.untrusted.visible` leaves.
_NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")


def _xml_text(text: str) -> str:
    """``text`` as an XML document can hold it: a control character in a benchmark's name
    (``\\x01``, which no XML parser reads, as ``&#1;`` or raw) written as its code point,
    ``<U+0001>``, as every other renderer shows it."""
    return _NOT_XML.sub(lambda m: f"<{code_point(m[0])}>", visible(text))


def github_annotations(result: GateResult) -> list[str]:
    """GitHub Actions ``::error::`` workflow commands, one per failed check, each one line
    whatever the names in it hold (a benchmark's name is the user's: a line break in it
    would start a command of its own)."""
    return [
        f"::error title={_escape_property(f'qcaudit gate {c.threshold_key}')}::{_escape_data(c.message)}"
        for c in result.checks
        if not c.passed
    ]


def _escape_data(text: str) -> str:
    """A workflow command's message, escaped as GitHub's own toolkit (``@actions/core``'s
    ``escapeData``) escapes it."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    """A workflow command's property value (``title=``), escaped as ``@actions/core``'s
    ``escapeProperty`` does: also ``:`` and ``,``, which end a property."""
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")
