"""Endpoint resolution: presets, config file, environment, flags — and their precedence."""

from __future__ import annotations

import pytest

from cot_viewer.config import PRESETS, ConfigError, load_config, resolve
from cot_viewer.paths import config_file, data_dir


def test_default_is_deepseek_with_its_key():
    r = resolve(environ={"DEEPSEEK_API_KEY": "sk-zzz"})
    assert (r.provider, r.base_url, r.model, r.api_key_env, r.api_key) == ("deepseek", "https://api.deepseek.com", "deepseek-flash", "DEEPSEEK_API_KEY", "sk-zzz")
    assert "sk-zzz" not in repr(r)


@pytest.mark.parametrize("name", ["deepseek", "openrouter", "ollama", "vllm", "llamacpp", "lmstudio", "groq", "together"])
def test_every_preset_resolves(name):
    r = resolve(provider=name, environ={})
    assert r.base_url == PRESETS[name].base_url and r.provider == name


def test_local_presets_need_no_key():
    r = resolve(provider="ollama", environ={})
    assert r.api_key is None and not r.key_required


def test_base_url_alone_means_custom_with_openai_env():
    r = resolve(base_url="http://127.0.0.1:9/v1", environ={"OPENAI_API_KEY": "ok"})
    assert (r.provider, r.api_key_env, r.api_key) == ("custom", "OPENAI_API_KEY", "ok")
    r = resolve(provider="custom", environ={"OPENAI_BASE_URL": "http://h/v1"})
    assert r.base_url == "http://h/v1"
    with pytest.raises(ConfigError, match="base URL"):
        resolve(provider="custom", environ={})


def test_precedence_flag_env_file_preset(tmp_path):
    f = tmp_path / "config.toml"
    f.write_text('default = "mine"\n[providers.mine]\npreset = "vllm"\nmodel = "from-file"\n[providers.deepseek]\nmodel = "deepseek-chat"\n')
    cfg = load_config(f)
    assert resolve(config=cfg, environ={}).provider == "mine"  # file default
    assert resolve(config=cfg, environ={"COT_VIEWER_PROVIDER": "ollama"}).provider == "ollama"  # env over file
    assert resolve(provider="groq", config=cfg, environ={"COT_VIEWER_PROVIDER": "ollama"}).provider == "groq"  # flag over env
    r = resolve(config=cfg, environ={})
    assert (r.base_url, r.model) == (PRESETS["vllm"].base_url, "from-file")
    assert resolve(config=cfg, model="flag-model", environ={}).model == "flag-model"
    assert resolve(provider="deepseek", config=cfg, environ={}).model == "deepseek-chat"  # file overrides a preset
    assert resolve(provider="mine", base_url="http://x/v1", config=cfg, environ={}).base_url == "http://x/v1"


def test_unknown_provider_and_bad_file(tmp_path):
    with pytest.raises(ConfigError, match="unknown provider"):
        resolve(provider="nope", environ={})
    bad = tmp_path / "c.toml"
    bad.write_text("this is [not toml")
    with pytest.raises(ConfigError, match="config file"):
        load_config(bad)


def test_paths_honour_cot_viewer_home(tmp_path):
    env = {"COT_VIEWER_HOME": str(tmp_path)}
    assert data_dir(env) == tmp_path and config_file(env) == tmp_path / "config.toml"
    assert data_dir({"XDG_DATA_HOME": "/x"}).as_posix().endswith("cot-viewer")


def test_custom_endpoint_on_a_providers_host_uses_its_thinking_fields():
    assert resolve(base_url="https://api.deepseek.com/v1", environ={}).dialect == "deepseek"
    assert resolve(base_url="https://openrouter.ai/api/v1", environ={}).dialect == "openrouter"
    assert resolve(base_url="http://10.0.0.5:8000/v1", environ={}).dialect == "openai"
    assert resolve(provider="ollama", environ={}).dialect == "ollama"
