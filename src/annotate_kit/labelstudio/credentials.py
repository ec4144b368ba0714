"""Where the Label Studio URL and API token come from. No network.

The token is read from LABEL_STUDIO_API_KEY or from a JSON config file that only its owner
can read (mode 0600), never from the command line: argv is visible to every user of the
machine (``ps``) and lands in shell history and CI logs. It is kept out of ``repr`` and is
scrubbed from every message this package builds from a server answer.
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from annotate_kit.errors import CredentialsError

URL_ENV = "LABEL_STUDIO_URL"
TOKEN_ENV = "LABEL_STUDIO_API_KEY"  # noqa: S105 - the variable's name, not a token
CONFIG_ENV = "ANNOTATE_KIT_CONFIG"
REDACTED = "***"


@dataclass(frozen=True)
class Credentials:
    """A server URL and the token for it; ``source`` says where the token came from."""

    url: str
    token: str = field(repr=False)
    source: str = TOKEN_ENV

    def scrub(self, text: str) -> str:
        """``text`` with the token (and the short-lived JWTs the SDK derives) blanked out."""
        return scrub(text, self.token)


def config_path() -> Path:
    """$ANNOTATE_KIT_CONFIG, else $XDG_CONFIG_HOME/annotate-kit/labelstudio.json."""
    configured = os.environ.get(CONFIG_ENV)
    if configured:
        return Path(configured).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "annotate-kit" / "labelstudio.json"


def load_credentials(url: str | None = None) -> Credentials:
    """The URL from ``url``, $LABEL_STUDIO_URL or the config file; the token from the env or file.

    The config file is JSON ``{"url": "...", "api_key": "..."}``; it is refused when its mode
    lets anyone but its owner read it. Both legacy tokens and personal access tokens work.
    """
    path = config_path()
    token = os.environ.get(TOKEN_ENV)
    url = url or os.environ.get(URL_ENV)
    source = TOKEN_ENV
    if not (token and url) and path.is_file():  # the file is read (and checked) only if needed
        stored = _read_config(path)
        if not token:
            token, source = stored.get("api_key"), str(path)
        url = url or stored.get("url")
    if not url:
        raise CredentialsError(
            f'no Label Studio URL: pass --url, set {URL_ENV}, or put "url" in {path}'
        )
    if not url.startswith(("http://", "https://")):
        raise CredentialsError(f"Label Studio URL {url!r} must start with http:// or https://")
    if not token:
        raise CredentialsError(
            f'no Label Studio API token: set {TOKEN_ENV}, or put "api_key" in {path} '
            "(chmod 600); find the token under Account & Settings in Label Studio"
        )
    return Credentials(url=url.rstrip("/"), token=token.strip(), source=source)


def _read_config(path: Path) -> dict[str, str]:
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise CredentialsError(
            f"{path} is readable by other users (mode {stat.S_IMODE(mode):o}); it holds an API "
            f"token: run `chmod 600 {path}`"
        )
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CredentialsError(
            f"{path}: not a readable JSON object ({type(exc).__name__})"
        ) from None
    if not isinstance(loaded, dict) or not all(isinstance(v, str) for v in loaded.values()):
        raise CredentialsError(f'{path}: expected {{"url": "...", "api_key": "..."}}')
    return loaded


def write_config(path: Path, *, url: str, token: str, extra: dict[str, str] | None = None) -> Path:
    """Write a config file that only its owner can read (created 0600, never wider)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)  # an existing file keeps its mode through O_CREAT
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump({"url": url, "api_key": token, **(extra or {})}, handle, indent=2)
    return path


def scrub(text: str, *secrets: str) -> str:
    """Blank out each secret, and any bearer token a server or library echoed back."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    for marker in ("Token ", "Bearer "):
        start = text.find(marker)
        while start != -1:
            end = start + len(marker)
            stop = end
            while stop < len(text) and (text[stop].isalnum() or text[stop] in "-_.="):
                stop += 1
            if stop > end:
                text = text[:end] + REDACTED + text[stop:]
            start = text.find(marker, end + len(REDACTED))
    return text
