"""Argos Translate: the installed packages and translation through them, offline.

argostranslate reads its settings from environment variables when it is first imported
(``ARGOS_PACKAGES_DIR``...), so :func:`configure_argos` sets them from our settings before the
first (lazy) import, and points the paths it computed at import at our models folder too.

Nothing here downloads. argostranslate's own ``translate()`` wraps each package in a
``PackageTranslation`` whose sentence splitter (MiniSBD, or stanza) fetches its model from the
internet on first use. We never build one: sentences are split by :mod:`bot.language.sentences`
and run through CTranslate2 exactly as ``argostranslate.translate.apply_packaged_translation``
does (the package's tokenizer, target prefix, beam size, ``replace_unknowns``), but as one batch
of independent sentences, which that function cannot return separately.

Methods are synchronous and CPU-bound: the language layer calls them in a worker thread.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from bot.conversation.messages import PIVOT_LANGUAGE

log = logging.getLogger(__name__)

_configure_lock = threading.Lock()


def configure_argos(models_dir: Path, package_index: str | None = None) -> ModuleType:
    """Imports ``argostranslate.package`` configured for ``models_dir`` and returns it.

    Safe to call again (also with another folder, as tests do): the module's settings are
    pointed at the folder each time.
    """
    with _configure_lock:
        models_dir.mkdir(parents=True, exist_ok=True)
        os.environ["ARGOS_PACKAGES_DIR"] = str(models_dir)
        os.environ.setdefault("ARGOS_DEVICE_TYPE", "cpu")
        if package_index:
            os.environ["ARGOS_PACKAGE_INDEX"] = package_index
        import argostranslate.package as argos_package
        import argostranslate.settings as argos_settings

        argos_settings.package_data_dir = models_dir
        argos_settings.package_dirs = [models_dir]
        # The package index and downloads live next to the models, not in the user's home (and
        # not inside the folder, where argostranslate takes every subfolder for a package).
        argos_settings.local_package_index = models_dir.parent / f".{models_dir.name}-index.json"
        argos_settings.downloads_dir = models_dir.parent / f".{models_dir.name}-downloads"
        if package_index:
            index = package_index if package_index.endswith("/") else package_index + "/"
            argos_settings.remote_package_index = index + "index.json"
        return argos_package


@dataclass(frozen=True)
class InstalledPackage:
    from_code: str
    to_code: str
    version: str
    path: Path


class ArgosEngine:
    """Translates sentences with the Argos packages installed in ``models_dir``.

    Args:
        models_dir: The folder of installed (unpacked) packages.
        cache_size: How many translated sentences to remember (0: none).
        threads: CPU threads per translation (CTranslate2's ``intra_threads``).
    """

    def __init__(self, models_dir: Path, cache_size: int = 0, threads: int = 1) -> None:
        self._models_dir = models_dir
        self._threads = threads
        self._cache: OrderedDict[tuple[str, str, str], str] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()
        self._packages: dict[tuple[str, str], Any] = {}
        self._translators: dict[Path, Any] = {}
        self._scanned_at: float | None = None

    # -- what is installed ---------------------------------------------------------------------

    def _installed(self) -> dict[tuple[str, str], Any]:
        """Installed packages by (from, to); re-read when the folder changes (an install or a
        removal while the assistant runs)."""
        try:
            changed_at = self._models_dir.stat().st_mtime
        except FileNotFoundError:
            changed_at = None
        with self._lock:
            if changed_at != self._scanned_at or changed_at is None:
                self._packages = self._scan() if changed_at is not None else {}
                self._translators = {
                    path: translator
                    for path, translator in self._translators.items()
                    if path.exists()
                }
                self._cache.clear()
                self._scanned_at = changed_at
            return self._packages

    def _scan(self) -> dict[tuple[str, str], Any]:
        argos_package = configure_argos(self._models_dir)
        packages: dict[tuple[str, str], Any] = {}
        for directory in sorted(self._models_dir.iterdir()):
            if not directory.is_dir() or directory.name.startswith("."):
                continue
            try:
                package = argos_package.Package(directory)
            except (OSError, ValueError) as error:
                log.warning("skipped the Argos package %s: %s", directory, error)
                continue
            if package.type != "translate" or not hasattr(package, "tokenizer"):
                log.warning("skipped %s: not a translation package with a tokenizer", directory)
                continue
            packages[(package.from_code, package.to_code)] = package
        return packages

    def installed_packages(self) -> list[InstalledPackage]:
        return [
            InstalledPackage(source, target, package.package_version, package.package_path)
            for (source, target), package in sorted(self._installed().items())
        ]

    def route(self, source: str, target: str) -> list[tuple[str, str]] | None:
        """The hops from ``source`` to ``target`` (direct, or through English), or None."""
        if source == target:
            return []
        installed = self._installed()
        if (source, target) in installed:
            return [(source, target)]
        hops = [(source, PIVOT_LANGUAGE), (PIVOT_LANGUAGE, target)]
        if all(hop in installed for hop in hops):
            return hops
        return None

    def can_translate(self, source: str, target: str) -> bool:
        return self.route(source, target) is not None

    def revision(self) -> float | None:
        """When the installed packages last changed (the folder's modification time)."""
        self._installed()
        return self._scanned_at

    # -- translation ---------------------------------------------------------------------------

    def translate(self, sentences: list[str], source: str, target: str) -> list[str]:
        """``sentences`` from ``source`` to ``target``, one output per input, in order.

        Raises:
            LookupError: the pair is not installed.
        """
        route = self.route(source, target)
        if route is None:
            raise LookupError(
                f"no Argos package for {source}->{target}; "
                f"run: python -m bot models install --lang {source if target == 'en' else target}"
            )
        for hop in route:
            sentences = self._translate_hop(sentences, *hop)
        return sentences

    def _translate_hop(self, sentences: list[str], source: str, target: str) -> list[str]:
        results: dict[int, str] = {}
        missing: list[int] = []
        with self._lock:
            for position, sentence in enumerate(sentences):
                cached = self._cache.get((source, target, sentence))
                if cached is None:
                    missing.append(position)
                else:
                    self._cache.move_to_end((source, target, sentence))
                    results[position] = cached
        unique = list(dict.fromkeys(sentences[position] for position in missing))
        if unique:
            translated = dict(zip(unique, self._run_batch(unique, source, target), strict=True))
            with self._lock:
                for sentence, output in translated.items():
                    self._remember((source, target, sentence), output)
            for position in missing:
                results[position] = translated[sentences[position]]
        return [results[position] for position in range(len(sentences))]

    def _remember(self, key: tuple[str, str, str], value: str) -> None:
        if self._cache_size <= 0:
            return
        self._cache[key] = value
        self._cache.move_to_end(key)
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)

    def _run_batch(self, sentences: list[str], source: str, target: str) -> list[str]:
        """One CTranslate2 batch, with the options argostranslate uses."""
        import argostranslate.settings as argos_settings

        package = self._installed()[(source, target)]
        translator = self._translator(package)
        tokenized = [package.tokenizer.encode(sentence) for sentence in sentences]
        prefix = [[package.target_prefix]] * len(tokenized) if package.target_prefix else None
        batches = translator.translate_batch(
            tokenized,
            target_prefix=prefix,
            replace_unknowns=True,
            max_batch_size=argos_settings.batch_size,
            batch_type="tokens",
            beam_size=argos_settings.beam_size,
            num_hypotheses=1,
            length_penalty=0.2,
        )
        outputs = []
        for batch in batches:
            value = package.tokenizer.decode(batch.hypotheses[0])
            if package.target_prefix and value.startswith(package.target_prefix):
                value = value[len(package.target_prefix) :]
            outputs.append(value.strip())
        return outputs

    def _translator(self, package: Any) -> Any:
        with self._lock:
            translator = self._translators.get(package.package_path)
            if translator is None:
                import argostranslate.settings as argos_settings
                import ctranslate2

                translator = ctranslate2.Translator(
                    str(package.package_path / "model"),
                    device=argos_settings.device,
                    inter_threads=argos_settings.inter_threads,
                    intra_threads=self._threads,
                    compute_type=argos_settings.compute_type,
                )
                self._translators[package.package_path] = translator
            return translator
