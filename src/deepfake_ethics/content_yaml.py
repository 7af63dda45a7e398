"""Reading a content file's YAML strictly, with limits, and the same way with either parser.

* The file must be UTF-8 and at most :data:`MAX_BYTES` long.
* A key given twice in one mapping is an error (YAML would silently keep the last one).
* Anchors and aliases are allowed, but the document they expand to may hold at most
  :data:`MAX_NODES` nodes and nest :data:`MAX_DEPTH` levels, so an alias bomb ("billion
  laughs") is refused before anything is built from it; an alias that contains itself too.
* libyaml's fast parser is used where installed, PyYAML's pure-Python one otherwise (or on
  request); the course's files are tested to read the same with both.

Every problem is a :class:`~deepfake_ethics.schema.ContentError` naming the file, and the
line where one is known.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from .schema import ContentError

if TYPE_CHECKING:  # pragma: no cover
    import yaml  # imported when a file is read, so that importing the package stays cheap

MAX_BYTES = 256 * 1024  # the largest content file is about 31 kB
MAX_NODES = 20_000  # after aliases are expanded; the largest content file has about 620
MAX_DEPTH = 20  # the content files nest 6 levels deep


def read_yaml(path: Path | str, *, pure: bool = False) -> Any:
    """Parse one content file; ``pure=True`` forces PyYAML's pure-Python parser."""
    import yaml

    path = Path(path)
    text = _read_text(path)
    base = yaml.SafeLoader if pure else getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loader = _checked_loader(base)(text)
    loader.content_path = path
    try:
        return loader.get_single_data()
    except ContentError:
        raise
    except yaml.MarkedYAMLError as exc:
        problem = "; ".join(p for p in (exc.context, exc.problem) if p) or str(exc)
        raise ContentError(path, None, _line(exc.problem_mark or exc.context_mark),
                           f"not valid YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise ContentError(path, None, None, f"not valid YAML: {exc}") from None
    except RecursionError:
        raise ContentError(path, None, None, f"nested more than {MAX_DEPTH} levels deep") from None
    except ValueError as exc:  # e.g. a date such as 2024-13-45, or an integer too long to read
        raise ContentError(path, None, None, f"a value cannot be read: {exc}") from None
    finally:
        loader.dispose()


def _read_text(path: Path) -> str:
    """The file's text: at most MAX_BYTES, and UTF-8."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise ContentError(path, None, None, f"cannot be read ({exc.strerror or exc})") from None
    if len(raw) > MAX_BYTES:
        raise ContentError(path, None, None, f"larger than {MAX_BYTES // 1024} KiB, the limit for "
                                             "a content file; split it into smaller files")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        byte = raw[exc.start]
        raise ContentError(path, None, f"line {line}",
                           f"not UTF-8 text (byte 0x{byte:02x}); save it as UTF-8") from None


def _line(mark: Any) -> str | None:
    return f"line {mark.line + 1}" if mark is not None else None


def _checked_loader(base: type) -> type:
    """``base`` (a safe loader) that checks the composed document before building it."""

    class CheckedLoader(base):  # type: ignore[misc, valid-type]
        content_path: Path = Path("<string>")

        def get_single_node(self) -> yaml.Node | None:
            node = super().get_single_node()
            if node is not None:
                _check(node, self)
            return node

    return CheckedLoader


def _children(node: yaml.Node) -> list[yaml.Node]:
    if node.id == "mapping":  # a yaml.MappingNode
        return [child for pair in node.value for child in pair]
    if node.id == "sequence":  # a yaml.SequenceNode
        return list(node.value)
    return []


def _check(root: yaml.Node, loader: Any) -> None:
    """Refuse duplicate keys, self-containing aliases, and too many nodes or levels.

    One walk without recursion; an aliased node is counted in full each time it is used,
    but measured only once, so a bomb is refused in time proportional to the file.
    """
    import yaml

    path = loader.content_path
    size: dict[int, int] = {}  # id(node) -> nodes in it, aliases expanded
    height: dict[int, int] = {}
    open_nodes: set[int] = set()  # the nodes from the root down to the one being walked
    stack: list[tuple[yaml.Node, str, bool]] = [(root, "", False)]
    while stack:
        node, where, finished = stack.pop()
        key = id(node)
        kids = _children(node)
        if finished:
            open_nodes.discard(key)
            size[key] = 1 + sum(size[id(k)] for k in kids)
            height[key] = 1 + max((height[id(k)] for k in kids), default=0)
            if size[key] > MAX_NODES:
                raise ContentError(path, None, None, f"expands to more than {MAX_NODES} values "
                                                     "(too many aliases?); refused")
            if height[key] > MAX_DEPTH:
                raise ContentError(path, None, _line(node.start_mark),
                                   f"nested more than {MAX_DEPTH} levels deep")
            continue
        if key in size:
            continue  # an alias of a node already measured
        if key in open_nodes:
            raise ContentError(path, None, _line(node.start_mark), "an alias contains itself")
        open_nodes.add(key)
        stack.append((node, where, True))
        if isinstance(node, yaml.MappingNode):
            _no_duplicate_keys(node, where, loader)
            for k, v in node.value:
                label = k.value if isinstance(k, yaml.ScalarNode) else "?"
                stack += [(k, where, False), (v, f"{where}.{label}" if where else label, False)]
        elif isinstance(node, yaml.SequenceNode):
            stack += [(v, f"{where}[{i}]", False) for i, v in enumerate(node.value)]


def _no_duplicate_keys(node: yaml.MappingNode, where: str, loader: Any) -> None:
    """Raise if a key appears twice (keys compared as YAML reads them: ``1`` equals ``0x1``)."""
    import yaml

    seen: dict[Any, yaml.Node] = {}
    for key_node, _ in node.value:
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
            continue  # a merge (<<) may override keys; complex keys are rare and left to YAML
        key = loader.construct_object(key_node)
        if key in seen:
            first = seen[key].start_mark.line + 1
            field = f"{where}.{key_node.value}" if where else key_node.value
            raise ContentError(loader.content_path, None, field,
                               f"duplicate key '{key_node.value}' at line "
                               f"{key_node.start_mark.line + 1} (first at line {first})")
        seen[key] = key_node
