"""``python -m bot models ...``: install, list and remove Argos Translate packages.

An offline kiosk is provisioned from a folder of ``.argosmodel`` files (copied from a connected
machine); a connected machine may download from the Argos package index instead. Each language
needs two packages: ``<code>->en`` (the user's messages) and ``en-><code>`` (the replies).
"""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

from bot.conversation.messages import NATIVE_LANGUAGES, PIVOT_LANGUAGE
from bot.language.argos import ArgosEngine, configure_argos
from bot.language.registry import LanguageRegistry
from bot.settings import Settings


def _pairs(code: str) -> list[tuple[str, str]]:
    return [(code, PIVOT_LANGUAGE), (PIVOT_LANGUAGE, code)]


def _argos_codes(languages: list[str], registry: LanguageRegistry) -> list[str] | None:
    codes = []
    for language in languages:
        entry = registry.get(language)
        if entry is None:
            print(f"unknown language {language!r}; supported: {', '.join(registry.codes)}")
            return None
        if language == PIVOT_LANGUAGE:
            print(f"{language}: the pivot language, no translation package needed")
            continue
        if language in NATIVE_LANGUAGES:
            # Visitors in Chinese need none; staff who answer in Chinese need zh->en to reach
            # visitors in the other languages (through English).
            print(f"{language}: answered natively; installed for staff replies written in it")
        codes.append(entry.argos)
    return codes


def read_package_metadata(path: Path) -> dict | None:
    """``metadata.json`` of a ``.argosmodel`` file, or None if it is not a valid package."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if n.endswith("metadata.json")]
            if not names:
                return None
            metadata = json.loads(archive.read(min(names, key=len)))
    except (OSError, zipfile.BadZipFile, json.JSONDecodeError, UnicodeDecodeError):
        return None
    return metadata if isinstance(metadata, dict) else None


def _version_key(metadata: dict) -> tuple[int, ...]:
    parts = str(metadata.get("package_version", "0")).split(".")
    return tuple(int(part) if part.isdigit() else 0 for part in parts)


def install_models(
    settings: Settings, languages: list[str], source: Path | None, registry: LanguageRegistry
) -> int:
    """Installs the packages of ``languages`` from ``source`` (a folder) or the Argos index."""
    codes = _argos_codes(languages, registry)
    if codes is None:
        return 2
    models_dir = settings.path(settings.translation.models_dir)
    argos_package = configure_argos(models_dir, settings.translation.package_index)
    missing = []
    if source is not None:
        if not source.is_dir():
            print(f"{source} is not a folder of .argosmodel files")
            return 2
        found: dict[tuple[str, str], tuple[dict, Path]] = {}
        for path in sorted(source.glob("*.argosmodel")):
            metadata = read_package_metadata(path)
            if metadata is None:
                print(f"skipped {path.name}: not a valid .argosmodel (zip with metadata.json)")
                continue
            pair = (str(metadata.get("from_code")), str(metadata.get("to_code")))
            if pair not in found or _version_key(metadata) > _version_key(found[pair][0]):
                found[pair] = (metadata, path)
        for code in codes:
            for pair in _pairs(code):
                if pair not in found:
                    missing.append(pair)
                    continue
                metadata, path = found[pair]
                argos_package.install_from_path(path)
                print(
                    f"installed {pair[0]}->{pair[1]} {metadata.get('package_version', '')}"
                    f" from {path.name}"
                )
    else:
        available = _index_packages(argos_package, settings)
        if available is None:
            return 1
        for code in codes:
            for pair in _pairs(code):
                package = available.get(pair)
                if package is None:
                    missing.append(pair)
                    continue
                Path(str(argos_package.settings.downloads_dir)).mkdir(parents=True, exist_ok=True)
                try:
                    package.install()
                except Exception as error:  # argostranslate raises bare Exception on failure
                    print(f"download of {pair[0]}->{pair[1]} failed: {error}")
                    missing.append(pair)
                    continue
                print(f"installed {pair[0]}->{pair[1]} {package.package_version} from the index")
    for pair in missing:
        where = source or "the Argos index"
        print(f"no package for {pair[0]}->{pair[1]} in {where}")
    return 1 if missing else 0


def _index_packages(argos_package, settings: Settings) -> dict[tuple[str, str], Any] | None:
    """The packages of the Argos index by (from, to), or None (with a message) when offline."""
    index = Path(str(argos_package.settings.local_package_index))
    index.unlink(missing_ok=True)  # argostranslate would otherwise use a stale copy
    argos_package.update_package_index()
    if not index.exists():
        print(
            f"cannot reach the Argos package index ({settings.translation.package_index});"
            " on an offline machine install from a folder: --from DIR"
        )
        return None
    return {(p.from_code, p.to_code): p for p in argos_package.get_available_packages()}


def download_models(
    settings: Settings, languages: list[str], folder: Path, registry: LanguageRegistry
) -> int:
    """Downloads the ``.argosmodel`` files of ``languages`` into ``folder`` (not installed),
    to carry to an offline kiosk."""
    codes = _argos_codes(languages, registry)
    if codes is None:
        return 2
    argos_package = configure_argos(
        settings.path(settings.translation.models_dir), settings.translation.package_index
    )
    available = _index_packages(argos_package, settings)
    if available is None:
        return 1
    folder.mkdir(parents=True, exist_ok=True)
    Path(str(argos_package.settings.downloads_dir)).mkdir(parents=True, exist_ok=True)
    failed = 0
    for code in codes:
        for pair in _pairs(code):
            package = available.get(pair)
            if package is None:
                print(f"the Argos index has no package for {pair[0]}->{pair[1]}")
                failed += 1
                continue
            try:
                downloaded = Path(package.download())
            except Exception as error:  # argostranslate raises bare Exception on failure
                print(f"download of {pair[0]}->{pair[1]} failed: {error}")
                failed += 1
                continue
            shutil.move(str(downloaded), folder / downloaded.name)
            print(f"downloaded {folder / downloaded.name}")
    return 1 if failed else 0


def list_models(settings: Settings, registry: LanguageRegistry) -> int:
    """Prints the installed packages and which languages are translated both ways."""
    engine = ArgosEngine(settings.path(settings.translation.models_dir))
    packages = engine.installed_packages()
    print(f"Argos packages in {settings.path(settings.translation.models_dir)}:")
    if not packages:
        print("  none (English and Chinese still work; others get English answers)")
    for package in packages:
        print(f"  {package.from_code}->{package.to_code}  {package.version}  {package.path.name}")
    print("Languages:")
    for language in registry:
        if language.code in NATIVE_LANGUAGES:
            state = "native"
        else:
            ways = [engine.can_translate(a, b) for a, b in _pairs(language.argos)]
            state = "installed" if all(ways) else ("partly installed" if any(ways) else "-")
        print(f"  {language.code:<3} {language.name:<22} {state}")
    return 0


def remove_models(settings: Settings, languages: list[str], registry: LanguageRegistry) -> int:
    """Removes the packages to and from each of ``languages``."""
    codes = _argos_codes(languages, registry)
    if codes is None:
        return 2
    models_dir = settings.path(settings.translation.models_dir)
    argos_package = configure_argos(models_dir)
    engine = ArgosEngine(models_dir)
    removed = 0
    for package in engine.installed_packages():
        if {package.from_code, package.to_code} & set(codes):
            argos_package.uninstall(argos_package.Package(package.path))
            print(f"removed {package.from_code}->{package.to_code} ({package.path.name})")
            removed += 1
    if not removed:
        print("nothing to remove")
    return 0
