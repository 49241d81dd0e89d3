"""The HTTP service against a real uvicorn server on 127.0.0.1 (``hazardrules serve --port 0``) with
a real HTTP client (httpx): every answer is what the library gives, every JSON body validates
against the OpenAPI document, and every refusal carries the registry's codes, never a traceback."""

from __future__ import annotations

import datetime as dt
import json
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator

import hazardrules
from hazardrules.interfaces.cli import main
from hazardrules.interfaces.describe import rule_detail, rule_summary
from hazardrules.interfaces.schema import openapi, schema
from hazardrules.interfaces.wire_vocabulary import vocabulary
from hazardrules.verdict.codes import CODES, codes

from ._examples import all_examples

pytest.importorskip("uvicorn")
FINDING = {
    "id": "F-001",
    "sector": "metallurgy",
    "observed_on": "2024-03-01",
    "facts": {"special_worker.uncertified_on_duty": True},
}


class Server:
    def __init__(self, url: str, process: subprocess.Popen[str], log: list[str]) -> None:
        self.url = url
        self.process = process
        self.log = log
        self.client = httpx.Client(base_url=url, timeout=60)


@contextmanager
def serving(*options: str) -> Iterator[Server]:
    """``hazardrules serve --port 0`` in a child process, until the block ends."""
    command = [sys.executable, "-m", "hazardrules", "serve", "--port", "0", "--no-access-log", *options]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    assert process.stderr is not None
    first = process.stderr.readline()  # printed once the socket is bound, before uvicorn starts
    assert "serving on http://127.0.0.1:" in first, first
    log: list[str] = []
    drain = threading.Thread(target=lambda: log.extend(process.stderr or []), daemon=True)
    drain.start()
    server = Server(first.rsplit(" ", 1)[1].strip(), process, log)
    try:
        for _ in range(300):  # the socket accepts at once; the application answers once started
            try:
                if server.client.get("/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            threading.Event().wait(0.1)
        else:
            raise AssertionError("the server did not start: " + "".join(log))
        yield server
    finally:
        server.client.close()
        process.terminate()
        process.wait(timeout=30)
        drain.join(timeout=30)
        process.stderr.close()


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with serving("--max-body", "65536", "--max-stream", "4000000") as running:
        yield running


@pytest.fixture(scope="module")
def api(pack: hazardrules.Pack) -> dict[str, Any]:
    return openapi(pack)


def conforms(api: dict[str, Any], response: httpx.Response, path: str, method: str = "get") -> Any:
    """The response's JSON, checked against the OpenAPI document's schema for its status."""
    responses = api["paths"][path][method]["responses"]
    documented = responses.get(str(response.status_code)) or responses["default"]
    (media, content), *_ = documented["content"].items()
    assert response.headers["content-type"].split(";")[0] == media
    body = response.json()
    Draft202012Validator({**content["schema"], "components": api["components"]}).validate(body)
    return body


def refused(
    api: dict[str, Any], response: httpx.Response, status: int, code: str, path: str, method: str
) -> Any:
    assert response.status_code == status, response.text
    assert "Traceback" not in response.text
    body = conforms(api, response, path, method)
    assert body["problems"][0]["code"] == code
    assert all(p["code"] in CODES for p in body["problems"])
    return body


def test_health_and_version(server: Server, api: dict[str, Any], pack: hazardrules.Pack) -> None:
    assert conforms(api, server.client.get("/health"), "/health") == {"status": "ok"}
    version = conforms(api, server.client.get("/version"), "/version")
    assert version == {
        "hazardrules_version": hazardrules.__version__,
        "pack": {"name": pack.name, "version": pack.version, "digest": pack.digest},
    }


def test_classify_one_is_the_library_verdict(server: Server, api: dict[str, Any]) -> None:
    for finding in [FINDING, *(f for _, _, f, _ in all_examples()[::25])]:
        response = server.client.post("/v1/classify", json=finding)
        body = conforms(api, response, "/v1/classify", "post")
        try:
            expected = json.loads(hazardrules.classify(finding).model_dump_json())
        except hazardrules.FindingError as exc:  # an example that gives no facts at all
            assert response.status_code == 422
            expected = exc.to_dict()
        assert body == expected


def test_classify_options_from_the_query(server: Server, api: dict[str, Any]) -> None:
    query = [("on", "2024-06-01"), ("complete", "true"), ("select", "gm-2023:3"), ("ignore", "gm-2023:3.3")]
    response = server.client.post("/v1/classify", params=query, json=FINDING)
    body = conforms(api, response, "/v1/classify", "post")
    expected = hazardrules.classify(
        FINDING, on=dt.date(2024, 6, 1), complete=True, select=["gm-2023:3"], ignore=["gm-2023:3.3"]
    )
    assert body == json.loads(expected.model_dump_json())
    assert body["undetermined"] and all(u["rule"].startswith("gm-2023:3.") for u in body["undetermined"])


def test_a_finding_error_is_422_with_the_same_problems(server: Server, api: dict[str, Any]) -> None:
    bad = {
        "id": "x",
        "sector": "metallurgy",
        "facts": {"contractor.presnt": True, "contractor.present": "yes"},
    }
    with pytest.raises(hazardrules.FindingError) as caught:
        hazardrules.classify(bad)
    response = server.client.post("/v1/classify", json=bad)
    body = refused(api, response, 422, "unknown_fact", "/v1/classify", "post")
    assert body == caught.value.to_dict()
    assert [p["code"] for p in body["problems"]] == ["unknown_fact", "wrong_type"]


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b'{"sector": "metallurgy", "facts": {', "malformed_json"),
        (b'{"sector": "metallurgy", "sector": "coal_mine"}', "duplicate_key"),
        (b'{"sector": "metallurgy", "facts": {"a.b": NaN}}', "not_json"),
        (b'{"sector": "\xc3\x28"}', "not_utf8"),
        (b"[" * 40 + b"]" * 40, "too_deep"),
    ],
)
def test_a_body_that_is_not_a_json_finding_is_400(
    server: Server, api: dict[str, Any], content: bytes, code: str
) -> None:
    response = server.client.post(
        "/v1/classify", content=content, headers={"content-type": "application/json"}
    )
    refused(api, response, 400, code, "/v1/classify", "post")


def test_request_limits_and_types(server: Server, api: dict[str, Any]) -> None:
    client = server.client
    big = json.dumps({**FINDING, "description": "隐" * 30000}).encode()  # 90 kB, over --max-body 65536
    refused(api, client.post("/v1/classify", content=big), 413, "payload_too_large", "/v1/classify", "post")

    def chunks() -> Iterator[bytes]:  # no Content-Length: refused while it is read
        yield b'{"sector": "metallurgy", "description": "'
        for _ in range(100):
            yield b"x" * 1000
        yield b'"}'

    response = client.post("/v1/classify", content=chunks(), headers={"content-type": "application/json"})
    refused(api, response, 413, "payload_too_large", "/v1/classify", "post")
    response = client.post("/v1/classify", content=b"sector=x", headers={"content-type": "text/plain"})
    refused(api, response, 415, "unsupported_media_type", "/v1/classify", "post")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"on": "20240301"}, "on"),
        ({"on": "2024-02-30"}, "on"),
        ({"complete": "maybe"}, "complete"),
        ({"select": "gm-2099:1"}, "select"),
        ({"verbose": "1"}, "verbose"),
    ],
)
def test_wrong_query_parameters_are_400(
    server: Server, api: dict[str, Any], query: dict[str, str], field: str
) -> None:
    response = server.client.post("/v1/classify", params=query, json=FINDING)
    body = refused(api, response, 400, "invalid_argument", "/v1/classify", "post")
    assert body["problems"][0]["field"] == field


def test_unknown_paths_and_methods(server: Server) -> None:
    for response, status, code in [
        (server.client.get("/v2/classify"), 404, "not_found"),
        (server.client.get("/v1/classify"), 405, "method_not_allowed"),
        (server.client.delete("/health"), 405, "method_not_allowed"),
    ]:
        assert response.status_code == status
        assert response.json()["problems"][0]["code"] == code
        assert response.headers["content-type"] == "application/json"


def _stream_input() -> bytes:
    lines = [json.dumps(f, ensure_ascii=False) for _, _, f, _ in all_examples()[:40]]
    lines[3:3] = ["", "not json", '{"sector": "metallurgy", "facts": {"x.y": 1}}', '{"a": 1, "a": 2}']
    lines.append('{"sector": "metallurgy",\n "facts": {"special_worker.uncertified_on_duty": true}}')
    lines.append('{"sector": "metallurgy", "facts": {"a.b": Infinity}}')
    return ("\n".join(lines) + "\n").encode()


def test_stream_is_the_cli_batch_line_for_line(
    server: Server, api: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _stream_input()
    path = tmp_path / "batch.jsonl"
    path.write_bytes(data)
    assert main(["classify", str(path)]) == 1
    expected = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    with server.client.stream(
        "POST", "/v1/classify/stream", content=data, headers={"content-type": "application/x-ndjson"}
    ) as response:
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/x-ndjson"
        assert response.headers["transfer-encoding"] == "chunked"
        got = [json.loads(line) for line in response.iter_lines() if line]
    assert got == expected
    codes_seen = [r["error"]["problems"][0]["code"] for r in got if "error" in r]
    assert codes_seen == ["malformed_json", "unknown_fact", "duplicate_key", "not_json"]
    item = api["paths"]["/v1/classify/stream"]["post"]["responses"]["200"]["content"]["application/x-ndjson"]
    validator = Draft202012Validator({**item["x-item-schema"], "components": api["components"]})
    for record in got:
        validator.validate(record)


def test_stream_takes_a_json_array_and_refuses_what_the_cli_refuses(
    server: Server, api: dict[str, Any]
) -> None:
    array = json.dumps([FINDING, {"sector": "nowhere", "facts": {"a.b": True}}]).encode()
    response = server.client.post(
        "/v1/classify/stream", content=array, headers={"content-type": "application/json"}
    )
    lines = [json.loads(line) for line in response.text.splitlines()]
    assert lines[0]["status"] == "major"
    assert lines[1]["index"] == 1 and lines[1]["error"]["problems"][0]["code"] == "unknown_sector"
    utf16 = "\n".join([json.dumps(FINDING)]).encode("utf-16")
    response = server.client.post("/v1/classify/stream", content=utf16)
    refused(api, response, 400, "not_utf8", "/v1/classify/stream", "post")
    response = server.client.post("/v1/classify/stream", content=b"x" * 4_000_001)
    refused(api, response, 413, "payload_too_large", "/v1/classify/stream", "post")
    response = server.client.post("/v1/classify/stream", params={"on": "x"}, content=b"{}")
    refused(api, response, 400, "invalid_argument", "/v1/classify/stream", "post")


def test_checklist(server: Server, api: dict[str, Any], pack: hazardrules.Pack) -> None:
    params = {"sector": "冶金", "with": "dust", "on": "2025-01-01"}
    body = conforms(api, server.client.get("/v1/checklist", params=params), "/v1/checklist")
    expected = hazardrules.checklist("冶金", with_=["dust"], on=dt.date(2025, 1, 1))
    assert body == json.loads(expected.model_dump_json())
    response = server.client.get("/v1/checklist", params={"sector": "metallurgy", "with": "nothing"})
    refused(api, response, 400, "invalid_argument", "/v1/checklist", "get")
    response = server.client.get("/v1/checklist", params={"sector": "nowhere"})
    refused(api, response, 422, "unknown_sector", "/v1/checklist", "get")
    refused(api, server.client.get("/v1/checklist"), 400, "invalid_argument", "/v1/checklist", "get")


def test_rules(server: Server, api: dict[str, Any], pack: hazardrules.Pack) -> None:
    listed = conforms(api, server.client.get("/v1/rules"), "/v1/rules")
    assert listed == [rule_summary(pack, r) for r in pack.compiled_rules()]
    one = conforms(api, server.client.get("/v1/rules", params={"standard": "gm-2023"}), "/v1/rules")
    assert {r["standard"] for r in one} == {"gm-2023"}
    shown = conforms(api, server.client.get("/v1/rules/gm-2023:3.1"), "/v1/rules/{rule_id}")
    assert shown == json.loads(json.dumps(rule_detail(pack, pack.compiled_rule("gm-2023:3.1")), default=str))
    refused(api, server.client.get("/v1/rules/gm-2023:99"), 404, "not_found", "/v1/rules/{rule_id}", "get")
    refused(api, server.client.get("/v1/rules?standard=x"), 404, "not_found", "/v1/rules", "get")


def test_facts(server: Server, api: dict[str, Any], pack: hazardrules.Pack) -> None:
    every = conforms(api, server.client.get("/v1/facts"), "/v1/facts")
    assert every == json.loads(vocabulary(pack).model_dump_json())
    assert [f["name"] for f in every["facts"]] == list(pack.facts)
    one = conforms(api, server.client.get("/v1/facts", params={"sector": "冶金"}), "/v1/facts")
    assert one == json.loads(vocabulary(pack, "metallurgy").model_dump_json())
    assert one["sector"] == "metallurgy" and len(one["facts"]) < len(every["facts"])
    refused(api, server.client.get("/v1/facts?sector=nowhere"), 422, "unknown_sector", "/v1/facts", "get")


def test_suggest(server: Server, api: dict[str, Any]) -> None:
    asked = {"text": "动火作业人员无焊工证", "sector": "冶金", "k": 3}
    body = conforms(api, server.client.post("/v1/suggest", json=asked), "/v1/suggest", "post")
    assert body == json.loads(
        hazardrules.suggest("动火作业人员无焊工证", sector="冶金", k=3).model_dump_json()
    )
    for bad in [{"text": "x", "k": 0}, {"text": ""}, {"txt": "x"}, ["x"]]:
        response = server.client.post("/v1/suggest", json=bad)
        refused(api, response, 400, "invalid_argument", "/v1/suggest", "post")
    response = server.client.post("/v1/suggest", json={"text": "x", "sector": "nowhere"})
    refused(api, response, 422, "unknown_sector", "/v1/suggest", "post")


def test_codes_schemas_and_openapi(server: Server, api: dict[str, Any], pack: hazardrules.Pack) -> None:
    listed = conforms(api, server.client.get("/v1/codes"), "/v1/codes")
    assert [c["code"] for c in listed] == [c.code for c in codes()]
    assert server.client.get("/openapi.json").json() == api
    for kind in ("finding", "verdict", "error"):
        response = server.client.get(f"/v1/schemas/{kind}")
        assert response.headers["content-type"] == "application/schema+json"
        assert response.json() == schema(pack, kind)
    narrowed = server.client.get("/v1/schemas/finding", params={"sector": "冶金"}).json()
    assert narrowed == schema(pack, "finding", "metallurgy")
    refused(api, server.client.get("/v1/schemas/nothing"), 404, "not_found", "/v1/schemas/{kind}", "get")
    response = server.client.get("/v1/schemas/verdict", params={"sector": "冶金"})
    refused(api, response, 400, "invalid_argument", "/v1/schemas/{kind}", "get")


def test_time_limits() -> None:
    """A classification past --timeout is 503 ``timeout`` (in a stream: an error line, then the end);
    a body that does not arrive within --read-timeout is 408 ``request_timeout``."""
    with serving("--timeout", "0.000001", "--read-timeout", "0.5") as slow:
        response = slow.client.post("/v1/classify", json=FINDING)
        assert response.status_code == 503 and response.json()["problems"][0]["code"] == "timeout"
        response = slow.client.post("/v1/classify/stream", content=json.dumps(FINDING).encode() + b"\n")
        assert response.status_code == 200
        (line,) = [json.loads(x) for x in response.text.splitlines()]
        assert line["error"]["problems"][0]["code"] == "timeout"
        host, port = slow.url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=30) as raw:
            raw.sendall(
                b"POST /v1/classify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b'Content-Length: 100\r\n\r\n{"sector"'
            )
            answer = b""
            while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
                piece = raw.recv(65536)
                if not piece:
                    break
                answer += piece
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 408")
        assert json.loads(body)["problems"][0]["code"] == "request_timeout"


def test_a_bug_is_500_internal_error_without_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    """In process (a real server cannot be made to fail on purpose): the body names the code only;
    the traceback goes to the server's log."""
    import anyio

    from hazardrules.interfaces import service

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret detail")

    monkeypatch.setattr(service, "classify", broken)
    app = service.create_app()

    async def call() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            one = await client.post("/v1/classify", json=FINDING)
            many = await client.post("/v1/classify/stream", content=json.dumps(FINDING).encode())
            return [one, many]

    one, many = anyio.run(call)
    assert one.status_code == 500
    assert one.json()["problems"][0]["code"] == "internal_error"
    assert "secret detail" not in one.text and "Traceback" not in one.text
    assert many.status_code == 200
    line = json.loads(many.text)
    assert line["error"]["problems"][0]["code"] == "internal_error" and "secret" not in many.text
