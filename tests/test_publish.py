"""``khabar publish``: staging, refusals, weight conversion, and the upload over HTTP.

The Hub is out of reach here, so the upload runs against :class:`RecordingHub`: a local
``http.server`` that answers the endpoints ``huggingface_hub`` calls for ``create_repo`` and
``create_commit`` (validate-yaml, preupload, LFS batch / upload / verify, commit) and records
every request. The token is a fake string; the tests grep for it everywhere it must not be.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import runpy
import shutil
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from conftest import MODEL_DIR_FILES
from khabar.card import NO_EVAL_SENTENCE, CardError, validate_card
from khabar.cli import main
from khabar.errors import ModelDirError
from khabar.hub import PublishError, convert_to_safetensors, publish

pytestmark = pytest.mark.filterwarnings("ignore:Use .content=<...>.:DeprecationWarning")

FAKE_TOKEN = "hf_khabarFakeToken0123456789abcdefXYZ"
REPO_ROOT = Path(__file__).resolve().parents[1]
EXPECTED_FILES = MODEL_DIR_FILES


# ----------------------------------------------------------------------------- local Hub


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class RecordingHub:
    """A stand-in for the Hub's HTTP API that records requests (method, path, headers, body)."""

    url: str = ""
    requests: list[Recorded] = field(default_factory=list)
    lfs_objects: dict[str, bytes] = field(default_factory=dict)
    fail_commit_with_echo: bool = False

    def find(self, method: str, path_part: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == method and path_part in r.path]


def _make_handler(hub: RecordingHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            pass

        def _body(self) -> bytes:
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                chunks = []
                while True:
                    size = int(self.rfile.readline().strip() or b"0", 16)
                    if size == 0:
                        self.rfile.readline()
                        break
                    chunks.append(self.rfile.read(size))
                    self.rfile.readline()
                return b"".join(chunks)
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def _send(self, status: int, payload: Any) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _handle(self) -> None:
            body = self._body()
            path = self.path.split("?", 1)[0]
            rec = Recorded(
                self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body
            )
            hub.requests.append(rec)
            if self.command == "POST" and path == "/api/repos/create":
                data = json.loads(body)
                return self._send(200, {"url": f"{hub.url}/{data['organization']}/{data['name']}"})
            if self.command == "POST" and path == "/api/validate-yaml":
                return self._send(200, {"errors": [], "warnings": []})
            if self.command == "POST" and "/preupload/" in path:
                files = json.loads(body)["files"]
                modes = [
                    {
                        "path": f["path"],
                        "uploadMode": "lfs" if f["path"].endswith(".safetensors") else "regular",
                        "shouldIgnore": False,
                        "oid": None,
                    }
                    for f in files
                ]
                return self._send(200, {"files": modes})
            if self.command == "POST" and path.endswith(".git/info/lfs/objects/batch"):
                objects = [
                    {
                        "oid": o["oid"],
                        "size": o["size"],
                        "authenticated": True,
                        "actions": {
                            "upload": {"href": f"{hub.url}/lfs-storage/{o['oid']}"},
                            "verify": {"href": f"{hub.url}/lfs-verify"},
                        },
                    }
                    for o in json.loads(body)["objects"]
                ]
                return self._send(200, {"transfer": "basic", "objects": objects})
            if self.command == "PUT" and path.startswith("/lfs-storage/"):
                hub.lfs_objects[path.rsplit("/", 1)[-1]] = body
                return self._send(200, {})
            if self.command == "POST" and path == "/lfs-verify":
                return self._send(200, {})
            if self.command == "POST" and "/commit/" in path:
                if hub.fail_commit_with_echo:
                    # a misbehaving server that echoes the credentials in its error message
                    return self._send(
                        500, {"error": f"rejected {self.headers.get('Authorization')}"}
                    )
                repo = path.split("/api/models/", 1)[1].split("/commit/", 1)[0]
                oid = "0123456789abcdef0123456789abcdef01234567"
                return self._send(
                    200,
                    {
                        "commitUrl": f"{hub.url}/{repo}/commit/{oid}",
                        "commitOid": oid,
                        "pullRequestUrl": None,
                    },
                )
            return self._send(404, {"error": f"unexpected {self.command} {path}"})

        do_GET = do_POST = do_PUT = _handle

    return Handler


@pytest.fixture
def local_hub(monkeypatch: pytest.MonkeyPatch) -> Iterator[RecordingHub]:
    """A recording Hub on 127.0.0.1, with huggingface_hub allowed to reach it (legacy LFS path)."""
    from huggingface_hub import constants

    hub = RecordingHub()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(hub))
    hub.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(constants, "HF_HUB_DISABLE_XET", True)  # no Xet server here: plain LFS
    # huggingface_hub's own side requests (e.g. its agent-harness registry) go to ENDPOINT:
    # keep them on this machine too
    monkeypatch.setattr(constants, "ENDPOINT", hub.url)
    monkeypatch.setenv("HF_TOKEN", FAKE_TOKEN)
    monkeypatch.delenv("HF_OIDC_RESOURCE", raising=False)
    try:
        yield hub
    finally:
        server.shutdown()
        server.server_close()


# ----------------------------------------------------------------------------- helpers


def copy_model(src: Path, dest: Path) -> Path:
    """A private copy of a (session-shared) model directory, without its checkpoints."""
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns("checkpoints"))
    return dest


@pytest.fixture
def topic_copy(tiny_topic_model: Path, tmp_path: Path) -> Path:
    return copy_model(tiny_topic_model, tmp_path / "topic-model")


def _assert_token_nowhere(*roots: Path, texts: tuple[str, ...] = ()) -> None:
    needle = FAKE_TOKEN.encode()
    for root in roots:
        for path in root.rglob("*"):
            if path.is_file():
                assert needle not in path.read_bytes(), f"token found in {path}"
    for text in texts:
        assert FAKE_TOKEN not in text


# ----------------------------------------------------------------------------- dry run


def test_dry_run_stages_a_folder_transformers_loads(
    topic_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from transformers import AutoModelForSequenceClassification, AutoTokenizer, pipeline

    stage = tmp_path / "stage"
    (topic_copy / "checkpoints").mkdir()
    (topic_copy / "checkpoints" / "optimizer.pt").write_bytes(b"not uploaded")
    (topic_copy / "training_args.bin").write_bytes(b"not uploaded")
    rc = main(
        [
            "publish",
            str(topic_copy),
            "--repo-id",
            "khabar-test/tiny-topic",
            "--dry-run",
            "--output",
            str(stage),
        ]
    )
    out = capsys.readouterr().out
    assert rc == 0
    staged = {p.name for p in stage.iterdir()}
    assert staged >= EXPECTED_FILES
    assert not staged & {"checkpoints", "training_args.bin", "optimizer.pt"}
    for name in staged:
        assert name in out  # listed with sizes
    assert "total" in out and "khabar" in out
    card = (stage / "README.md").read_text(encoding="utf-8")
    validate_card(card, model_dir=stage)
    assert 'model="khabar-test/tiny-topic"' in card  # usage snippet names the repository
    tokenizer = AutoTokenizer.from_pretrained(stage)
    model = AutoModelForSequenceClassification.from_pretrained(stage)
    labels = json.loads((stage / "khabar_config.json").read_text())["labels"]
    assert [model.config.id2label[i] for i in range(len(labels))] == labels
    classify = pipeline("text-classification", model=str(stage), tokenizer=tokenizer)
    prediction = classify("أعلنت الحكومة عن ميزانية جديدة للعام المقبل", truncation=True)
    assert prediction[0]["label"] in labels


def test_dry_run_output_must_be_empty_unless_overwrite(topic_copy: Path, tmp_path: Path) -> None:
    stage = tmp_path / "stage"
    stage.mkdir()
    (stage / "notes.txt").write_text("mine")
    with pytest.raises(PublishError, match="not empty"):
        publish(topic_copy, "org/name", dry_run=True, output=stage)
    with pytest.raises(PublishError, match="refusing to delete"):
        publish(topic_copy, "org/name", dry_run=True, output=stage, overwrite=True)
    (stage / "notes.txt").unlink()
    first = publish(topic_copy, "org/name", dry_run=True, output=stage)
    with pytest.raises(PublishError, match="--overwrite"):
        publish(topic_copy, "org/name", dry_run=True, output=stage)
    again = publish(topic_copy, "org/name", dry_run=True, output=stage, overwrite=True)
    assert [f.name for f in again.files] == [f.name for f in first.files]
    with pytest.raises(PublishError, match="must not be the model directory"):
        publish(topic_copy, "org/name", dry_run=True, output=topic_copy / "stage")


# ----------------------------------------------------------------------------- refusals


def test_pickle_weights_refused_until_converted(
    topic_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import torch
    from safetensors.torch import load_file

    original = load_file(topic_copy / "model.safetensors")
    torch.save(original, topic_copy / "pytorch_model.bin")
    (topic_copy / "model.safetensors").unlink()

    rc = main(
        [
            "publish",
            str(topic_copy),
            "--repo-id",
            "org/name",
            "--dry-run",
            "--output",
            str(tmp_path / "s1"),
        ]
    )
    err = capsys.readouterr().err
    assert rc == 2
    assert "pickle" in err and f"khabar convert-weights {topic_copy}" in err

    assert main(["convert-weights", str(topic_copy)]) == 0
    converted = load_file(topic_copy / "model.safetensors")
    assert set(converted) <= set(original)
    for name, tensor in converted.items():
        assert torch.equal(tensor, original[name])
    assert (topic_copy / "pytorch_model.bin").is_file()  # kept unless --delete-pickles

    result = publish(topic_copy, "org/name", dry_run=True, output=tmp_path / "s2")
    names = {f.name for f in result.files}
    assert "model.safetensors" in names and "pytorch_model.bin" not in names


def test_publish_can_convert_on_the_way(topic_copy: Path, tmp_path: Path) -> None:
    import torch
    from safetensors.torch import load_file

    torch.save(load_file(topic_copy / "model.safetensors"), topic_copy / "pytorch_model.bin")
    (topic_copy / "model.safetensors").unlink()
    result = publish(
        topic_copy, "org/name", dry_run=True, output=tmp_path / "s", convert_weights=True
    )
    assert "model.safetensors" in {f.name for f in result.files}
    files = convert_to_safetensors(topic_copy, delete_pickles=True)  # already converted: no-op
    assert [f.name for f in files] == ["model.safetensors"]


def test_missing_tokenizer_refused(topic_copy: Path, tmp_path: Path) -> None:
    (topic_copy / "tokenizer.json").unlink()
    with pytest.raises(ModelDirError, match="no tokenizer"):
        publish(topic_copy, "org/name", dry_run=True, output=tmp_path / "s")


def test_no_eval_refused_unless_allowed(
    topic_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (topic_copy / "eval_results.json").unlink()
    rc = main(
        [
            "publish",
            str(topic_copy),
            "--repo-id",
            "org/name",
            "--dry-run",
            "--output",
            str(tmp_path / "s1"),
        ]
    )
    assert rc == 2
    assert "--allow-no-eval" in capsys.readouterr().err
    result = publish(
        topic_copy, "org/name", dry_run=True, output=tmp_path / "s2", allow_no_eval=True
    )
    card = (tmp_path / "s2" / "README.md").read_text(encoding="utf-8")
    assert NO_EVAL_SENTENCE in card
    assert "model-index" not in card
    assert "no evaluation results" in result.commit_message


def test_invalid_card_refused(topic_copy: Path, tmp_path: Path) -> None:
    # a run config that sets a licence the Hub does not know makes the card invalid
    run_config = topic_copy / "run_config.yaml"
    run_config.write_text(
        run_config.read_text().replace("license: null", "license: my-own-licence")
    )
    with pytest.raises(CardError, match="not a Hub licence id"):
        publish(topic_copy, "org/name", dry_run=True, output=tmp_path / "s")


def test_real_run_needs_token_and_online(
    topic_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    with pytest.raises(PublishError, match="offline"):
        publish(topic_copy, "org/name")
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.delenv("HUGGING_FACE_HUB_TOKEN", raising=False)
    monkeypatch.delenv("HF_OIDC_RESOURCE", raising=False)
    monkeypatch.setattr(constants, "HF_TOKEN_PATH", str(tmp_path / "no-token"))
    with pytest.raises(PublishError, match="no Hugging Face token"):
        publish(topic_copy, "org/name", endpoint="http://127.0.0.1:9")
    with pytest.raises(PublishError, match="--repo-id"):
        publish(topic_copy)
    with pytest.raises(PublishError, match="invalid --repo-id"):
        publish(topic_copy, "not a/valid--id", dry_run=True)


# ----------------------------------------------------------------------------- upload


@pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")
def test_upload_one_commit_to_local_hub(
    local_hub: RecordingHub,
    topic_copy: Path,
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    rc = main(
        [
            "-v",
            "publish",
            str(topic_copy),
            "--repo-id",
            "khabar-test/tiny-topic",
            "--private",
            "--endpoint",
            local_hub.url,
        ]
    )
    out, err = capfd.readouterr()
    assert rc == 0, err
    assert f"{local_hub.url}/khabar-test/tiny-topic" in out

    (create,) = local_hub.find("POST", "/api/repos/create")
    assert create.json() == {
        "name": "tiny-topic",
        "organization": "khabar-test",
        "visibility": "private",
        "type": "model",
    }
    commits = local_hub.find("POST", "/commit/")
    assert len(commits) == 1
    assert commits[0].path.startswith("/api/models/khabar-test/tiny-topic/commit/main")
    lines = [json.loads(line) for line in commits[0].body.decode().splitlines() if line.strip()]
    header = lines[0]
    assert header["key"] == "header"
    assert "khabar 0.1.0" in header["value"]["summary"]
    eval_results = json.loads((topic_copy / "eval_results.json").read_text())
    test_f1 = eval_results["splits"]["test"]["model"]["macro_f1"]
    assert f"{test_f1:.4f}" in header["value"]["summary"]
    files = {item["value"]["path"]: item for item in lines[1:]}
    assert set(files) >= EXPECTED_FILES
    assert "checkpoints" not in " ".join(files)

    # the weights went through LFS (batch, upload, verify) and arrived intact
    weights = (topic_copy / "model.safetensors").read_bytes()
    oid = hashlib.sha256(weights).hexdigest()
    assert files["model.safetensors"]["key"] == "lfsFile"
    assert files["model.safetensors"]["value"]["oid"] == oid
    assert local_hub.lfs_objects[oid] == weights
    card = base64.b64decode(files["README.md"]["value"]["content"]).decode()
    validate_card(card)
    (validated,) = local_hub.find("POST", "/api/validate-yaml")
    assert validated.json()["content"] == card

    # every publishing call carries the token (storage uploads use pre-signed URLs instead)
    api_calls = [
        r
        for r in local_hub.requests
        if not r.path.startswith(("/lfs-storage/", "/api/agent-harnesses"))
    ]
    assert len(api_calls) >= 6
    for request in api_calls:
        assert request.headers.get("authorization") == f"Bearer {FAKE_TOKEN}", request.path

    committed = b"".join(
        base64.b64decode(i["value"]["content"]) for i in lines[1:] if i["key"] == "file"
    )
    assert FAKE_TOKEN.encode() not in committed
    _assert_token_nowhere(topic_copy, tmp_path, texts=(out, err, caplog.text, card))


def test_upload_errors_are_scrubbed_of_the_token(
    local_hub: RecordingHub, topic_copy: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    local_hub.fail_commit_with_echo = True
    with pytest.raises(PublishError) as info:
        publish(topic_copy, "khabar-test/tiny-topic", endpoint=local_hub.url)
    message = str(info.value)
    assert "***" in message  # the echoed credentials were there, and were masked
    assert FAKE_TOKEN not in message
    assert FAKE_TOKEN not in caplog.text
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_push_to_hub_script_is_a_thin_wrapper(
    topic_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stage = tmp_path / "stage"
    monkeypatch.setattr(
        sys,
        "argv",
        [
            "push_to_hub.py",
            str(topic_copy),
            "--repo-id",
            "org/name",
            "--dry-run",
            "--output",
            str(stage),
        ],
    )
    with pytest.raises(SystemExit) as exit_info:
        runpy.run_path(str(REPO_ROOT / "scripts" / "push_to_hub.py"), run_name="__main__")
    assert exit_info.value.code == 0
    assert (stage / "README.md").is_file()


def test_summarizer_dry_run_loads_with_transformers(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    try:
        model_dir: Path = request.getfixturevalue("tiny_summarizer_model")
    except pytest.FixtureLookupError:
        pytest.skip("the tiny_summarizer_model fixture is not in tests/conftest.py yet")
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    stage = tmp_path / "stage"
    result = publish(model_dir, "khabar-test/tiny-summarizer", dry_run=True, output=stage)
    names = {f.name for f in result.files}
    assert {"generation_config.json", "model.safetensors", "README.md"} <= names
    validate_card((stage / "README.md").read_text(encoding="utf-8"), model_dir=stage)
    AutoTokenizer.from_pretrained(stage)
    model = AutoModelForSeq2SeqLM.from_pretrained(stage)
    assert (
        model.generation_config.num_beams
        == json.loads((stage / "generation_config.json").read_text())["num_beams"]
    )


def test_a_file_holding_the_token_is_never_staged_for_upload(
    topic_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_TOKEN", FAKE_TOKEN)
    run_config = topic_copy / "run_config.yaml"
    run_config.write_text(
        run_config.read_text().replace("description: null", f"description: {FAKE_TOKEN}")
    )
    with pytest.raises(
        PublishError, match=r"contain your Hub token: README\.md, run_config\.yaml;"
    ) as info:
        publish(topic_copy, "org/name", dry_run=True, output=tmp_path / "stage")
    assert FAKE_TOKEN not in str(info.value)
