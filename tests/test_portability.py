"""tools/portability.py: which configurations it runs, and how it skips a kernel the CPU lacks."""

from __future__ import annotations

from conftest import ROOT, _load_tool

portability = _load_tool("portability")


def test_every_required_configuration_is_run():
    labels = [label for label, _ in portability.configurations()]
    assert labels == ["Prescott", "Nehalem", "Sandybridge", "Haswell", "SkylakeX", "Zen", "threads=1"]
    envs = dict(portability.configurations())
    assert envs["SkylakeX"] == {"OPENBLAS_CORETYPE": "SkylakeX"}
    assert envs["threads=1"] == {"OPENBLAS_NUM_THREADS": "1"}


def test_kernel_the_cpu_lacks_is_skipped_with_its_reason():
    avx2_only = {"pni", "ssse3", "sse4_2", "avx", "avx2", "fma"}
    reason = portability.unsupported("SkylakeX", avx2_only)
    assert reason and "avx512f" in reason and "SIGILL" in reason
    assert portability.unsupported("Haswell", avx2_only) is None
    assert "avx2" in portability.unsupported("Zen", {"pni", "avx"})
    assert portability.unsupported("threads=1", set()) is None
    assert portability.unsupported("Haswell", None) is None  # cannot tell: run it


def test_cpu_flags_read_from_cpuinfo(tmp_path):
    info = tmp_path / "cpuinfo"
    info.write_text("processor\t: 0\nflags\t\t: fpu pni avx2 fma\n", encoding="utf-8")
    assert portability.cpu_flags(info) == {"fpu", "pni", "avx2", "fma"}
    assert portability.cpu_flags(tmp_path / "missing") is None


def test_nbval_command_loads_the_figure_check_and_writes_no_cache():
    cmd = portability.nbval_command([ROOT / "chapters" / "x.ipynb"], workers=2)
    assert cmd[cmd.index("-p", cmd.index("no:cacheprovider")) + 1] == "conftest"
    assert "--nbval-sanitize-with" in cmd and "chapters/x.ipynb" in cmd and "-n" in cmd


def test_unknown_configuration_is_one_line_error(capsys):
    assert portability.main(["--only", "Pentium"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "Pentium" in err and "--only" in err
