"""Read YAML and remember the line of every value, so a check can say where a problem is.

``read_yaml(text, name)`` returns plain Python data (dicts, lists, strings, numbers, dates)
and a ``SourceMap`` from each path, such as ``("measures", 3, "polarity")``, to the line it is
written on. PyYAML's composer gives every node its position; the nodes are turned into values
here one by one, instead of by ``yaml.safe_load``, so that no position is lost.

Repeated keys in one mapping are reported (plain ``safe_load`` keeps the last silently).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import yaml

YamlPath = tuple[str | int, ...]
_MERGE_TAG = "tag:yaml.org,2002:merge"


class YamlReadError(Exception):
    """The text is not YAML that can be read; ``messages`` name the line of each problem."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("\n".join(messages))
        self.messages = messages


@dataclass
class SourceMap:
    """Where each value sits in the file: 1-based line numbers by path."""

    name: str
    lines: dict[YamlPath, int] = field(default_factory=dict)

    def locate(
        self, loc: Iterable[str | int], *, missing: bool = False
    ) -> tuple[YamlPath, int]:
        """The path as written in the file and the line to report for a validation location.

        Parts of ``loc`` that are not in the file (a union's tag, say) are left out. With
        ``missing``, the last part names a field that is not in the file: it is kept so the
        message names it, and the line is that of the block that should hold it.
        """
        parts = list(loc)
        found: YamlPath = ()
        shown: list[str | int] = []
        for index, part in enumerate(parts):
            candidate = (*found, part)
            if candidate in self.lines:
                found = candidate
                shown.append(part)
            elif missing and index == len(parts) - 1:
                shown.append(part)
        return tuple(shown), self.lines.get(found, 1)

    def line(self, path: YamlPath) -> int:
        """The line of ``path``, or of its nearest ancestor in the file."""
        return self.locate(path)[1]


def format_path(path: Iterable[str | int]) -> str:
    """``("measures", 3, "polarity")`` as ``measures[3].polarity``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def read_yaml(text: str, name: str) -> tuple[Any, SourceMap]:
    """Parse ``text`` (the contents of the file called ``name``) into data and a source map."""
    loader = yaml.SafeLoader(text)
    source_map = SourceMap(name)
    problems: list[str] = []
    try:
        node = loader.get_single_node()
        if node is None:
            raise YamlReadError([f"{name}, line 1: the file is empty; a plan file starts plan:"])
        data = _build(node, (), loader, source_map, problems)
    except yaml.MarkedYAMLError as exc:
        raise YamlReadError([_syntax_message(exc, name)]) from None
    except yaml.YAMLError as exc:
        raise YamlReadError([f"{name}, line 1: the file is not valid YAML: {exc}"]) from None
    finally:
        loader.dispose()
    if problems:
        raise YamlReadError(problems)
    return data, source_map


def _syntax_message(exc: yaml.MarkedYAMLError, name: str) -> str:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark is not None else 1
    problem = exc.problem or "unexpected text"
    context = f" ({exc.context})" if exc.context else ""
    return (
        f"{name}, line {line}: the file is not valid YAML: {problem}{context}. Check the "
        "indentation, and put quotes around text that contains a colon followed by a space."
    )


def _build(
    node: yaml.Node,
    path: YamlPath,
    loader: yaml.SafeLoader,
    source_map: SourceMap,
    problems: list[str],
) -> Any:
    source_map.lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        return _build_mapping(node, path, loader, source_map, problems)
    if isinstance(node, yaml.SequenceNode):
        return [
            _build(item, (*path, index), loader, source_map, problems)
            for index, item in enumerate(node.value)
        ]
    return loader.construct_object(node, deep=True)


def _build_mapping(
    node: yaml.MappingNode,
    path: YamlPath,
    loader: yaml.SafeLoader,
    source_map: SourceMap,
    problems: list[str],
) -> dict[Any, Any]:
    """A mapping's values. Keys merged in with ``<<: *anchor`` give way to keys written out."""
    merged_count = getattr(node, "_merged_count", None)
    if merged_count is None:  # flatten once; an alias visits the same node again
        written = sum(1 for key, _value in node.value if key.tag != _MERGE_TAG)
        loader.flatten_mapping(node)
        merged_count = len(node.value) - written
        node._merged_count = merged_count  # type: ignore[attr-defined]
    merged = node.value[:merged_count]
    result: dict[Any, Any] = {}
    first_seen: dict[Any, int] = {}
    for key_node, value_node in node.value[len(merged):]:
        key = _key(key_node, path, loader, source_map, problems, first_seen)
        if key is not None:
            result[key] = _build(value_node, (*path, key), loader, source_map, problems)
    for key_node, value_node in reversed(merged):  # a later merged key wins, as in PyYAML
        key = loader.construct_object(key_node) if isinstance(key_node, yaml.ScalarNode) else None
        if key is not None and key not in result:
            result[key] = _build(value_node, (*path, key), loader, source_map, problems)
    return result


def _key(
    key_node: yaml.Node,
    path: YamlPath,
    loader: yaml.SafeLoader,
    source_map: SourceMap,
    problems: list[str],
    first_seen: dict[Any, int],
) -> Any:
    """The key of one mapping entry, or ``None`` (with a problem noted) if it cannot be used."""
    line = key_node.start_mark.line + 1
    if not isinstance(key_node, yaml.ScalarNode):
        problems.append(f"{source_map.name}, line {line}: a key must be a single word")
        return None
    key = loader.construct_object(key_node)
    if key in first_seen:
        problems.append(
            f"{source_map.name}, line {line}, {format_path((*path, key))}: '{key}' is given "
            f"twice in the same block (first on line {first_seen[key]}); keep one"
        )
        return None
    first_seen[key] = line
    return key
