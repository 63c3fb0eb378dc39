# SPDX-License-Identifier: MIT
"""Boot a mica ISO on one platform and collect what it printed.

Platforms:
  bochs-tigerlake   Bochs 2.7, cpu model tigerlake (VMX with EPT and SPP)
  bochs-skylake     Bochs 2.7, cpu model corei7_skylake_x (VMX, no SPP)
  qemu-tcg          QEMU without acceleration: no VMX, boot path only
  qemu-kvm          QEMU + KVM with -cpu host (needs /dev/kvm and nested VMX)

mica ends every run with the serial line "mica: exit N (name)"; the
emulator's own exit code only confirms it (Bochs can report only 0 or 1).
"""
import os
import re
import shutil
import subprocess
import tempfile
import time

BOCHS_MODELS = {
    "bochs-tigerlake": "tigerlake",
    "bochs-skylake": "corei7_skylake_x",
}
PLATFORMS = list(BOCHS_MODELS) + ["qemu-tcg", "qemu-kvm"]
EXIT_RE = re.compile(r"^mica: exit (\d+) \((\S+)\)", re.M)

BOCHSRC = """\
megs: {mem}
cpu: model={model}, count=1, ips=100000000, reset_on_triple_fault=0, ignore_bad_msrs=0
clock: sync=none, time0=1
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/vgabios/vgabios.bin
display_library: rfb, options="timeout=0"
ata0-master: type=cdrom, path={iso}, status=inserted
boot: cdrom
com1: enabled=1, mode=file, dev={serial}
port_e9_hack: enabled=0
speaker: enabled=0
sound: waveoutdrv=dummy, waveindrv=dummy, midioutdrv=dummy
magic_break: enabled=1
log: {bochslog}
panic: action=fatal
error: action=report
info: action=ignore
debug: action=ignore
"""


class BootResult:
    """What one boot produced: serial text, mica status, timing."""

    def __init__(self, platform, log, status, seconds, timed_out, rc, note=""):
        self.platform = platform
        self.log = log
        self.status = status  # mica's exit status from the serial, or None
        self.seconds = seconds
        self.timed_out = timed_out
        self.rc = rc
        self.note = note


def kvm_nested_reason():
    """None when QEMU+KVM with VMX can run here, else why not."""
    if not os.path.exists("/dev/kvm"):
        return "/dev/kvm is absent"
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        return "/dev/kvm is not accessible"
    try:
        with open("/proc/cpuinfo") as f:
            if " vmx" not in f.read():
                return "host CPU has no VMX (Intel VT-x) to nest"
    except OSError:
        return "cannot read /proc/cpuinfo"
    for p in ("/sys/module/kvm_intel/parameters/nested",):
        try:
            with open(p) as f:
                if f.read().strip() not in ("Y", "1"):
                    return "kvm_intel nested=0 (see docs/running.md)"
        except OSError:
            return "kvm_intel is not loaded"
    return None


def _bochs_cmd(iso, model, mem, workdir):
    serial = os.path.join(workdir, "serial.log")
    rc = os.path.join(workdir, "bochsrc")
    cmds = os.path.join(workdir, "cmds")
    with open(rc, "w") as f:
        f.write(BOCHSRC.format(mem=mem, model=model, iso=os.path.abspath(iso),
                               serial=serial,
                               bochslog=os.path.join(workdir, "bochs.log")))
    with open(cmds, "w") as f:
        f.write("continue\nquit\n")
    return ["bochs", "-q", "-f", rc, "-rc", cmds], serial


def _qemu_cmd(iso, accel, mem, workdir):
    serial = os.path.join(workdir, "serial.log")
    cmd = ["qemu-system-x86_64", "-M", "pc", "-m", str(mem),
           "-cdrom", os.path.abspath(iso), "-boot", "d",
           "-display", "none", "-no-reboot", "-monitor", "none",
           "-serial", "file:" + serial,
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x01"]
    if accel == "kvm":
        cmd += ["-accel", "kvm", "-cpu", "host"]
    else:
        cmd += ["-accel", "tcg", "-cpu", "qemu64"]
    return cmd, serial


RFB_BUSY = "RFB could not bind any port"


def boot(platform, iso, timeout=120, mem=256, keep_dir=None, stream=None):
    """Boot iso on platform; return a BootResult. stream(line) sees output.

    Bochs' rfb display needs a free TCP port in 5900-5949; when none is
    free it exits before the guest runs (docs/platforms.md). That start-up
    failure is retried a few times; nothing mica did is repeated."""
    for attempt in range(4):
        res = _boot_once(platform, iso, timeout, mem, keep_dir, stream)
        if not (platform in BOCHS_MODELS and res.status is None
                and RFB_BUSY in res.emulator_output):
            return res
        time.sleep(2 + 3 * attempt)
    return res


def _boot_once(platform, iso, timeout, mem, keep_dir, stream):
    workdir = os.path.abspath(keep_dir or tempfile.mkdtemp(prefix="mica-boot-"))
    os.makedirs(workdir, exist_ok=True)
    if platform in BOCHS_MODELS:
        cmd, serial = _bochs_cmd(iso, BOCHS_MODELS[platform], mem, workdir)
    elif platform in ("qemu-tcg", "qemu-kvm"):
        cmd, serial = _qemu_cmd(iso, platform[5:], mem, workdir)
    else:
        raise ValueError("unknown platform " + platform)
    open(serial, "w").close()
    start = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=workdir, stdin=subprocess.DEVNULL,
                            stdout=open(os.path.join(workdir, "stdout.log"), "w"),
                            stderr=subprocess.STDOUT, start_new_session=True)
    timed_out = False
    seen = 0
    with open(serial, "rb") as sf:
        while True:
            rc = proc.poll()
            chunk = sf.read()
            if chunk and stream:
                text = chunk.decode("utf-8", "replace")
                stream(text)
            seen += len(chunk or b"")
            if rc is not None:
                rest = sf.read()
                if rest and stream:
                    stream(rest.decode("utf-8", "replace"))
                break
            if time.monotonic() - start > timeout:
                timed_out = True
                _kill(proc)
                rc = proc.wait()
                break
            time.sleep(0.05)
    seconds = time.monotonic() - start
    with open(serial, "rb") as f:
        log = f.read().decode("utf-8", "replace").replace("\r", "")
    with open(os.path.join(workdir, "stdout.log"), "rb") as f:
        emu_out = f.read().decode("utf-8", "replace")
    m = None
    for m in EXIT_RE.finditer(log):
        pass
    status = int(m.group(1)) if m else None
    note = _rc_note(platform, rc, status, timed_out)
    if not keep_dir:
        shutil.rmtree(workdir, ignore_errors=True)
    res = BootResult(platform, log, status, seconds, timed_out, rc, note)
    res.emulator_output = emu_out
    return res


def _kill(proc):
    try:
        os.killpg(proc.pid, 9)
    except OSError:
        pass


def _rc_note(platform, rc, status, timed_out):
    """Cross-check the emulator exit code against mica's status line."""
    if timed_out or status is None:
        return ""
    if platform in BOCHS_MODELS:
        want = 0 if status == 0 else 1
        # Bochs 2.7 occasionally dies with SIGSEGV while tearing down,
        # after the final status line (docs/platforms.md): the status line
        # itself is authoritative.
        if rc in (-11, 139):
            return ""
    else:
        want = (status << 1) | 1
    if rc != want:
        return "emulator exit code %d, expected %d for status %d" % (rc, want, status)
    return ""
