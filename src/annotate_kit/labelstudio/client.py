"""The transport to Label Studio: an SDK client, the retry policy and the error mapping.

Every call labelstudio.py makes goes through a ``Connection``, so retries, time-outs and the
wording of errors live in one place. The SDK's own retries are turned off: it retries POSTs
too, and a retried import duplicates tasks (Label Studio never deduplicates). Idempotent
calls are retried here with exponential back-off on time-outs, broken connections, 5xx, 408
and 429; a call that must not be repeated blindly uses ``once``. Every message built from a
server answer has the token scrubbed out and fits on one line.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from typing import Any, Self

import httpx
from label_studio_sdk import LabelStudio
from label_studio_sdk.core.api_error import ApiError

from annotate_kit.errors import (
    LabelStudioAuthError,
    LabelStudioError,
    LabelStudioNotFoundError,
    LabelStudioUnreachableError,
)
from annotate_kit.labelstudio.credentials import Credentials, load_credentials

TRANSIENT_STATUS = frozenset({408, 429, 500, 502, 503, 504})
FAILURES = (ApiError, httpx.HTTPError, ValueError)  # ValueError: a body that is not JSON
RETRIES = 3  # after the first attempt; with BACKOFF 0.5 s the waits are 0.5, 1 and 2 s
BACKOFF = 0.5
TIMEOUT = 120.0  # seconds per request: a 2,000-task snapshot export takes ~2 s here


class Connection:
    """An SDK client plus the retry policy and the error mapping every call goes through."""

    def __init__(
        self,
        credentials: Credentials,
        *,
        timeout: float | None = None,
        retries: int | None = None,
        backoff: float | None = None,
    ) -> None:
        self.credentials = credentials
        self.url = credentials.url
        self.timeout = TIMEOUT if timeout is None else timeout
        self.retries = RETRIES if retries is None else retries
        self.backoff = BACKOFF if backoff is None else backoff
        self.http = httpx.Client(timeout=self.timeout, follow_redirects=True)
        try:
            self.client = LabelStudio(
                base_url=credentials.url,
                api_key=credentials.token,
                timeout=self.timeout,
                max_retries=0,
                httpx_client=self.http,
            )
        except ApiError as exc:  # an expired personal access token is refused right here
            self.http.close()
            raise self.explain("read the API token", exc) from None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self.http.close()

    def call(self, what: str, function: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        """Run an idempotent SDK call, retrying transient failures with exponential back-off."""
        for attempt in range(self.retries + 1):
            try:
                return function(*args, **kwargs)
            except FAILURES as exc:
                if not is_transient(exc) or attempt == self.retries:
                    raise self.explain(what, exc, attempts=attempt + 1) from None
            time.sleep(self.backoff * 2**attempt)
        raise AssertionError  # pragma: no cover - the loop always returns or raises

    def once(self, what: str, function: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        """Run a call that must not be repeated blindly; errors are mapped, never retried."""
        try:
            return function(*args, **kwargs)
        except FAILURES as exc:
            raise self.explain(what, exc) from None

    def get_json(self, what: str, path: str, params: Mapping[str, Any]) -> Any:
        """GET through the SDK's HTTP client (auth, token refresh) without model parsing.

        Parsing 10k tasks into the SDK's pydantic models costs more than the request, and a
        listing needs only a few fields.
        """
        return self.call(what, self._get, path, params, parse=True)[1]

    def get(self, what: str, path: str, params: Mapping[str, Any]) -> httpx.Response:
        """The raw answer of a GET (for its headers), failures mapped and retried."""
        return self.call(what, self._get, path, params, parse=False)[0]

    def _get(
        self, path: str, params: Mapping[str, Any], *, parse: bool
    ) -> tuple[httpx.Response, Any]:
        http = self.client._client_wrapper.httpx_client  # noqa: SLF001 - the SDK's own transport
        response = http.request(
            path, method="GET", params=dict(params), request_options={"max_retries": 0}
        )
        if response.status_code >= 400:
            raise ApiError(status_code=response.status_code, body=_body(response))
        return response, (response.json() if parse else None)

    def explain(self, what: str, exc: BaseException, *, attempts: int = 1) -> LabelStudioError:
        """One line saying what failed, where, and what to do; the token is never in it."""
        where = f"Label Studio at {self.url}"
        tries = f" after {attempts} attempts" if attempts > 1 else ""
        if isinstance(exc, httpx.ConnectError):
            error: LabelStudioError = LabelStudioUnreachableError(
                f"cannot reach {where} ({what}{tries}): is it running? "
                "`annotate-kit studio` starts a local one"
            )
        elif isinstance(exc, httpx.TimeoutException):
            error = LabelStudioUnreachableError(f"{where} timed out ({what}{tries})")
        elif isinstance(exc, httpx.HTTPError):
            error = LabelStudioUnreachableError(
                f"the connection to {where} broke ({what}{tries}: {type(exc).__name__}); "
                "run the command again: it resumes where it stopped"
            )
        elif isinstance(exc, ApiError):
            why = detail(exc.body)
            status = exc.status_code
            if status == 401:
                error = LabelStudioAuthError(
                    f"{where} refused the API token from {self.credentials.source} ({what}: "
                    f"HTTP 401 {why}); check the token; a legacy token also needs legacy "
                    "tokens enabled for the organization (a personal access token does not)"
                )
            elif status == 403:
                error = LabelStudioAuthError(
                    f"{where}: the token's user may not {what} (HTTP 403 {why})"
                )
            elif status == 404:
                error = LabelStudioNotFoundError(
                    f"{where}: not found ({what}: HTTP 404 {why}); is the URL the Label "
                    "Studio server and does the object exist?"
                )
            else:
                error = LabelStudioError(f"{where}: {what} failed{tries}: HTTP {status} {why}")
        else:
            error = LabelStudioError(
                f"{where} answered something unexpected ({what}: {type(exc).__name__})"
            )
        message = self.credentials.scrub(error.args[0])
        error.args = (" ".join(message.split()),)
        return error


def connect(url: str | None = None, *, credentials: Credentials | None = None) -> Connection:
    """A connection from explicit credentials, or from --url / the environment / config file.

    An explicit ``url`` wins over the one in ``credentials`` (same token, another address).
    """
    if credentials is None:
        return Connection(load_credentials(url))
    if url is not None:
        credentials = Credentials(url.rstrip("/"), credentials.token, credentials.source)
    return Connection(credentials)


def is_transient(exc: BaseException) -> bool:
    """Worth retrying: time-outs, broken or refused connections, 5xx, 408 and 429."""
    if isinstance(exc, ApiError):
        return exc.status_code in TRANSIENT_STATUS
    return isinstance(exc, httpx.TransportError)


def _body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text


def detail(body: Any) -> str:
    """The useful part of an error body, short: Label Studio's 404 page alone is 170 KB."""
    if isinstance(body, dict):
        text = _flatten(body.get("validation_errors") or body.get("detail") or body)
    elif isinstance(body, str) and "<html" in body[:500].lower():
        title = re.search(r"<title>(.*?)</title>", body, re.IGNORECASE | re.DOTALL)
        text = f"(an HTML page: {title.group(1).strip()})" if title else "(an HTML page)"
    else:
        text = str(body)
    text = " ".join(text.split())
    return text if len(text) <= 300 else text[:297] + "..."


def _flatten(value: Any) -> str:
    """{"label_config": ["a", "b"]} -> "label_config: a; b" (server messages, keys kept)."""
    if isinstance(value, dict):
        return "; ".join(
            _flatten(item) if key == "non_field_errors" else f"{key}: {_flatten(item)}"
            for key, item in value.items()
        )
    if isinstance(value, list):
        return "; ".join(_flatten(item) for item in value)
    return str(value)
