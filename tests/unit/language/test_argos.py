"""The real argostranslate install code and CTranslate2 through tiny real packages, offline."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from bot.language.argos import ArgosEngine, configure_argos
from bot.language.cli import (
    download_models,
    install_models,
    list_models,
    read_package_metadata,
    remove_models,
)
from bot.language.strings import StringCatalogue
from bot.language.translating_layer import TranslatingLanguageLayer, build_language_layer
from bot.settings import Settings
from tests.unit.language.conftest import OUTPUTS


def test_installed_packages_translate_without_touching_the_network(
    engine: ArgosEngine, network_attempts: list[str]
) -> None:
    assert engine.can_translate("fr", "en") and engine.can_translate("en", "fr")
    outputs = engine.translate(["Bonjour.", "Où est le guichet ?"], "fr", "en")
    assert outputs == [OUTPUTS[("fr", "en")]] * 2
    assert network_attempts == []


def test_argostranslates_own_sentence_splitter_would_download(
    models_dir: Path, network_attempts: list[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Why the engine splits sentences itself: argostranslate.translate() fetches MiniSBD."""
    import argostranslate.sbd as argos_sbd
    import argostranslate.translate as argos_translate

    monkeypatch.setattr(argos_sbd.minisbd_models, "cache_dir", str(tmp_path / "minisbd"))
    argos_translate.get_installed_languages.cache_clear()
    with pytest.raises(OSError):
        argos_translate.translate("Bonjour. Ça va ?", "fr", "en")
    assert network_attempts, "argostranslate's own path was expected to try a download"


def test_a_pair_without_a_direct_package_goes_through_english(engine: ArgosEngine) -> None:
    assert engine.route("de", "fr") == [("de", "en"), ("en", "fr")]
    assert engine.translate(["Guten Tag."], "de", "fr") == [OUTPUTS[("en", "fr")]]
    assert engine.route("fr", "de") is None
    with pytest.raises(LookupError, match="models install --lang de"):
        engine.translate(["Bonjour."], "fr", "de")


def test_translations_are_cached_and_batched(
    models_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = ArgosEngine(models_dir, cache_size=16)
    batches: list[list[str]] = []
    real = engine._run_batch

    def recording(sentences: list[str], source: str, target: str) -> list[str]:
        batches.append(list(sentences))
        return real(sentences, source, target)

    monkeypatch.setattr(engine, "_run_batch", recording)
    engine.translate(["Un.", "Deux.", "Un."], "fr", "en")
    engine.translate(["Deux.", "Trois."], "fr", "en")
    assert batches == [["Un.", "Deux."], ["Trois."]]


async def test_translation_uses_the_configured_number_of_threads(
    settings, registry, models_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One thread by default, not Argos' one per core: the model shares the cores with Rasa."""
    import ctranslate2

    built: list[int] = []
    real = ctranslate2.Translator

    def recording(path: str, **options: object) -> object:
        built.append(int(options["intra_threads"]))  # type: ignore[call-overload]
        return real(path, **options)

    monkeypatch.setattr(ctranslate2, "Translator", recording)
    settings.translation.models_dir = models_dir
    for threads in (1, 2):
        settings.translation.threads = threads
        layer = build_language_layer(settings, StringCatalogue.load(), registry)
        assert isinstance(layer, TranslatingLanguageLayer)
        assert await layer.to_pivot("Bonjour, je voudrais un permis.", "fr") == OUTPUTS["fr", "en"]
    assert Settings(_env_file=None).translation.threads == 1
    assert built == [1, 2]


async def test_by_default_no_sentence_of_a_user_outlives_the_turn(
    settings, registry, models_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The kiosk's wipe cannot reach a cache in the translation engine, so there is none by
    default: the same message translated twice runs the model twice."""
    batches: list[list[str]] = []
    real = ArgosEngine._run_batch

    def recording(engine: ArgosEngine, sentences: list[str], source: str, target: str) -> list[str]:
        batches.append(list(sentences))
        return real(engine, sentences, source, target)

    monkeypatch.setattr(ArgosEngine, "_run_batch", recording)
    settings.translation.models_dir = models_dir
    layer = build_language_layer(settings, StringCatalogue.load(), registry)
    assert isinstance(layer, TranslatingLanguageLayer)
    for _ in range(2):
        await layer.to_pivot("Je m'appelle Anna Petrova.", "fr")
    assert len(batches) == 2
    assert Settings(_env_file=None).translation.cache_size == 0


def test_a_removed_package_is_noticed_while_running(engine: ArgosEngine, models_dir: Path) -> None:
    assert engine.can_translate("en", "fr")
    revision = engine.revision()
    argos_package = configure_argos(models_dir)
    package = next(p for p in engine.installed_packages() if p.to_code == "fr")
    argos_package.uninstall(argos_package.Package(package.path))
    assert not engine.can_translate("en", "fr")
    assert engine.revision() != revision  # remembered replies are translated again


def test_the_cli_installs_lists_and_removes_from_a_folder(
    settings, registry, argosmodels: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.translation.models_dir = tmp_path / "kiosk-models"
    assert install_models(settings, ["fr"], argosmodels, registry) == 0
    assert list_models(settings, registry) == 0
    listing = capsys.readouterr().out
    assert "en->fr" in listing and "fr->en" in listing
    assert any(line.split()[:1] == ["fr"] and "installed" in line for line in listing.splitlines())
    assert remove_models(settings, ["fr"], registry) == 0
    assert ArgosEngine(tmp_path / "kiosk-models").installed_packages() == []


def test_the_cli_reports_what_it_cannot_install(
    settings, registry, argosmodels: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.translation.models_dir = tmp_path / "models"
    assert install_models(settings, ["ru"], argosmodels, registry) == 1
    assert "no package for ru->en" in capsys.readouterr().out
    assert install_models(settings, ["xx"], argosmodels, registry) == 2
    assert install_models(settings, ["fr"], tmp_path / "nowhere", registry) == 2
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "bad.argosmodel").write_bytes(b"not a zip")
    assert install_models(settings, ["fr"], tmp_path / "broken", registry) == 1
    assert "skipped bad.argosmodel" in capsys.readouterr().out


def test_downloading_offline_fails_with_a_clear_message(
    settings,
    registry,
    tmp_path: Path,
    network_attempts: list[str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings.translation.models_dir = tmp_path / "models"
    assert install_models(settings, ["fr"], None, registry) == 1
    assert "--from DIR" in capsys.readouterr().out
    assert network_attempts  # it did try the index: this is the connected-machine path
    assert download_models(settings, ["fr"], tmp_path / "usb", registry) == 1
    assert "cannot reach the Argos package index" in capsys.readouterr().out
    assert download_models(settings, ["klingon"], tmp_path / "usb", registry) == 2


def test_package_metadata_is_read_from_the_zip(argosmodels: Path, tmp_path: Path) -> None:
    metadata = read_package_metadata(argosmodels / "translate-fr_en-1_0.argosmodel")
    assert metadata is not None and (metadata["from_code"], metadata["to_code"]) == ("fr", "en")
    empty = tmp_path / "empty.argosmodel"
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("readme.txt", "no metadata")
    assert read_package_metadata(empty) is None
