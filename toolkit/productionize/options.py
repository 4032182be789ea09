"""One Options value, passed explicitly from the adapters into the core."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from .errors import ConfigError
from .model import Severity


@dataclass(frozen=True)
class Options:
    """Everything a run can be configured with; built by adapters from CLI flags and pyproject."""

    select: tuple[str, ...] = ()  # rule ids or prefixes; empty = all
    ignore: tuple[str, ...] = ()
    severities: tuple[tuple[str, Severity], ...] = ()  # per-rule severity overrides
    fail_on: Severity = Severity.WARNING
    allowed_paths: tuple[str, ...] = ()  # absolute-path prefixes the path rule accepts
    line_length: int = 88
    framework: str = "fastapi"  # fastapi | flask
    project_name: str | None = None  # generated package name; default from notebook stem
    infer_tags: bool = False

    def replace(self, **changes) -> Options:
        return dataclasses.replace(self, **changes)

    def rule_enabled(self, rule: str) -> bool:
        if self.select and not any(rule.startswith(s) for s in self.select):
            return False
        return not any(rule.startswith(i) for i in self.ignore)

    def severity_for(self, rule: str, default: Severity) -> Severity:
        for rule_id, severity in self.severities:
            if rule == rule_id:
                return severity
        return default


def options_from_config(config: dict, base: Options | None = None) -> Options:
    """Build Options from a ``[tool.productionize]`` table (already parsed)."""
    base = base or Options()
    changes: dict = {}
    try:
        for key in ("select", "ignore", "allowed_paths", "allowed-paths"):
            if key in config:
                value = config[key]
                if isinstance(value, str) or not all(isinstance(v, str) for v in value):
                    raise ConfigError(f"[tool.productionize] {key} must be a list of strings")
                changes[key.replace("-", "_")] = tuple(value)
        if "severity" in config or "severities" in config:
            table = config.get("severity", config.get("severities"))
            changes["severities"] = tuple((k, Severity(v)) for k, v in sorted(table.items()))
        for key in ("fail_on", "fail-on"):
            if key in config:
                changes["fail_on"] = Severity(config[key])
        for key in ("line_length", "line-length"):
            if key in config:
                changes["line_length"] = int(config[key])
        if "framework" in config:
            if config["framework"] not in ("fastapi", "flask"):
                raise ConfigError("[tool.productionize] framework must be 'fastapi' or 'flask'")
            changes["framework"] = config["framework"]
    except (ValueError, TypeError, AttributeError) as exc:
        raise ConfigError(f"invalid [tool.productionize] configuration: {exc}") from None
    return base.replace(**changes)
