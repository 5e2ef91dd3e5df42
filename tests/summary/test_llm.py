"""The optional LLM rewording, against a real OpenAI-compatible HTTP server on 127.0.0.1.

The server is a tiny stand-in for a local model server: it speaks the same chat-completions
protocol and rewrites sentences by simple rules, so each guard of `rephrase` can be exercised.
"""

from __future__ import annotations

import json
import re
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.summary.conftest import load_trial
from trialscout.summary import summarize
from trialscout.summary.llm import LlmConfig, acceptable, rephrase


class _Handler(BaseHTTPRequestHandler):
    mode = "simplify"
    seen: list[dict] = []

    def log_message(self, *args):  # keep test output quiet
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).seen.append(
            {"path": self.path, "body": body, "auth": self.headers.get("Authorization")}
        )
        if self.mode == "error":
            self.send_response(500)
            self.end_headers()
            return
        lines = body["messages"][1]["content"].splitlines()
        sentences = [re.sub(r"^\d+\. ", "", line) for line in lines]
        if self.mode == "simplify":
            out = [
                s.replace("must be", "need to be").replace("Healthy volunteers", "Healthy people")
                for s in sentences
            ]
        elif self.mode == "change_numbers":
            out = [re.sub(r"\d+", "99", s) for s in sentences]
        elif self.mode == "wrong_count":
            out = sentences[:-1] or ["x", "y"]
        else:  # "garbage"
            self._reply("Sure! Here you go.")
            return
        self._reply(json.dumps({"sentences": out}))

    def _reply(self, content: str) -> None:
        data = json.dumps(
            {"choices": [{"message": {"role": "assistant", "content": content}}]}
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def base():
    return summarize(load_trial("NCT04163237"))


def _all(summary):
    return [(x.text, x.source) for sec in summary.sections for x in sec.sentences]


def test_rephrase_rewords_and_keeps_sources(server, base):
    _Handler.mode, _Handler.seen = "simplify", []
    out = rephrase(base, LlmConfig(server, "tiny", api_key="k123"))
    assert out.backend == "llm"
    assert [s for _, s in _all(out)] == [s for _, s in _all(base)]
    texts = [t for t, _ in _all(out)]
    assert "You need to be 18 to 75 years old." in texts
    assert "Healthy people cannot join." in texts
    assert _Handler.seen[0]["path"] == "/v1/chat/completions"
    assert _Handler.seen[0]["body"]["model"] == "tiny"
    assert _Handler.seen[0]["auth"] == "Bearer k123"
    assert base.backend == "template"  # the input is not changed


def test_rewrites_that_change_numbers_are_refused(server, base):
    _Handler.mode = "change_numbers"
    out = rephrase(base, LlmConfig(server))
    assert _all(out) == _all(base)
    assert out.backend == "template"


@pytest.mark.parametrize("mode", ["error", "wrong_count", "garbage"])
def test_bad_answers_fall_back_to_the_template(server, base, mode):
    _Handler.mode = mode
    assert rephrase(base, LlmConfig(server)) is base


def test_unreachable_endpoint_falls_back(base):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    assert rephrase(base, LlmConfig(f"http://127.0.0.1:{port}/v1", timeout=2)) is base


@pytest.mark.parametrize(
    ("original", "rewrite", "ok"),
    [
        ("About 50 people will take part.", "Around 50 people will join.", True),
        ("About 50 people will take part.", "About 500 people will take part.", False),
        ("You must be 18 to 75 years old.", "You must be 18 or older.", False),
        ("It is a small study.", "", False),
        ("It is a small study.", "It is a small study. " * 5, False),
    ],
)
def test_acceptable(original, rewrite, ok):
    assert acceptable(original, rewrite) is ok


def test_config_from_env(monkeypatch):
    monkeypatch.delenv("TRIALSCOUT_LLM_URL", raising=False)
    assert LlmConfig.from_env() is None
    monkeypatch.setenv("TRIALSCOUT_LLM_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("TRIALSCOUT_LLM_MODEL", "m")
    assert LlmConfig.from_env() == LlmConfig("http://127.0.0.1:9/v1", "m", None)
