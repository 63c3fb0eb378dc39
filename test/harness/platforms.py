# SPDX-License-Identifier: MIT
"""Boot a mica ISO on one platform and collect what it printed.

Platforms:
  bochs-tigerlake   Bochs 2.7, cpu model tigerlake (VMX with EPT and SPP)
  bochs-skylake     Bochs 2.7, cpu model corei7_skylake_x (VMX, no SPP)
  bochs-sandybridge Bochs 2.7, cpu model corei7_sandy_bridge_2600k (VMX with
                    EPT and unrestricted guest, no EPT A/D, PML, SPP, APIC-
                    register virtualization or virtual-interrupt delivery)
  bochs-lynnfield   Bochs 2.7, cpu model corei5_lynnfield_750 (as sandy
                    bridge, and no unrestricted guest)
  qemu-tcg          QEMU without acceleration: no VMX, boot path only
  qemu-kvm          QEMU + KVM with -cpu host (needs /dev/kvm and nested VMX)

mica ends every run with the serial line "mica: exit N (name)"; the
emulator's own exit code only confirms it (Bochs can report only 0 or 1).

COM1 is a pseudo-terminal the harness holds (docs/platforms.md, "Serial
input"): the harness writes what arrives to serial.log in the work
directory and can answer the output with scripted input (boot(inputs=...)).
"""
import codecs
import os
import re
import select
import shutil
import subprocess
import tempfile
import time
import tty

BOCHS_MODELS = {
    "bochs-tigerlake": "tigerlake",
    "bochs-skylake": "corei7_skylake_x",
    "bochs-sandybridge": "corei7_sandy_bridge_2600k",
    "bochs-lynnfield": "corei5_lynnfield_750",
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
com1: enabled=1, {com1}
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


class _Console:
    """COM1 as the harness sees it: a pseudo-terminal whose slave end the
    emulator opens (Bochs com1 mode=term, QEMU -serial /dev/pts/N); the
    harness keeps both ends, so the line never hangs up. Every byte the
    guest sends goes to serial.log and to stream as it arrives. Input
    inputs[k] = (regex, bytes) is written once the output after the match
    of inputs[k-1] (all output, for the first) matches regex. It is looked
    for when output arrives, so nothing is written before the emulator has
    opened its end (Bochs' open discards what waits, docs/platforms.md).
    """

    def __init__(self, path, stream, inputs, keyboard=None):
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)  # no echo, no line editing until opened
        os.set_blocking(self.master, False)
        self.dev = os.ttyname(self.slave)
        self.log = open(path, "wb")
        self.stream = stream
        self.decode = codecs.getincrementaldecoder("utf-8")("replace").decode
        self.parts = []  # the output as text, "\r" removed
        self.inputs = [(re.compile(rx, re.M),
                        data.encode() if isinstance(data, str) else data)
                       for rx, data in inputs or []]
        self.sent = 0  # inputs matched; the last may still be in pending
        self.pending, self.budget = b"", 0
        self.tail, self.pos = "", 0  # output inputs[sent] is looked for in
        self.keyboard = keyboard  # a file descriptor typed into COM1

    def _read(self):
        """Take what has arrived; False if nothing had."""
        try:
            chunk = os.read(self.master, 65536)
        except BlockingIOError:
            return False
        self.log.write(chunk)
        self.log.flush()
        text = self.decode(chunk)
        if self.stream:
            self.stream(text)
        self._add(text.replace("\r", ""))
        return True

    def _add(self, text):
        self.parts.append(text)
        if self.sent < len(self.inputs):
            self.tail += text
            self._answer()

    def poll(self):
        """Take the output that arrived; pass on input that waited. Called
        every POLL_S: input goes out at most one FIFO (16 bytes) a call,
        as Bochs overruns its FIFO with what the guest leaves unread."""
        self.budget = 16
        while self._read():
            pass
        if self.pending and self._flush():
            self._answer()
        if (self.keyboard is not None and not self.pending and
                select.select([self.keyboard], [], [], 0)[0]):
            self.pending = os.read(self.keyboard, 16)
            self._flush()

    def _answer(self):
        while self._flush() and self.sent < len(self.inputs):
            rx, data = self.inputs[self.sent]
            m = rx.search(self.tail, self.pos)
            if not m:
                return
            self.pending = data
            self.sent += 1
            # keep from the start of the match's last line, for ^
            cut = self.tail.rfind("\n", 0, m.end()) + 1
            self.tail, self.pos = self.tail[cut:], m.end() - cut

    def _flush(self):
        """Write the input that waits, within budget; True when none is
        left."""
        try:
            while self.pending and self.budget:
                n = os.write(self.master, self.pending[:self.budget])
                self.pending, self.budget = self.pending[n:], self.budget - n
        except BlockingIOError:  # the emulator is not reading yet
            pass
        return not self.pending

    def close(self):
        """After the emulator ended: take the rest (a read waits for the
        tty layer to pass on what was written), then close the line.
        Returns the whole output as text."""
        self.poll()
        self._add(self.decode(b"", True).replace("\r", ""))
        os.close(self.master)
        os.close(self.slave)
        self.log.close()
        return "".join(self.parts)


def _bochs_cmd(iso, model, mem, workdir, com1):
    rc = os.path.join(workdir, "bochsrc")
    cmds = os.path.join(workdir, "cmds")
    with open(rc, "w") as f:
        f.write(BOCHSRC.format(mem=mem, model=model, iso=os.path.abspath(iso),
                               com1="mode=term, dev=" + com1,
                               bochslog=os.path.join(workdir, "bochs.log")))
    with open(cmds, "w") as f:
        f.write("continue\nquit\n")
    return ["bochs", "-q", "-f", rc, "-rc", cmds]


def _qemu_cmd(iso, accel, mem, com1):
    cmd = ["qemu-system-x86_64", "-M", "pc", "-m", str(mem),
           "-cdrom", os.path.abspath(iso), "-boot", "d",
           "-display", "none", "-no-reboot", "-monitor", "none",
           "-serial", com1,
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x01"]
    if accel == "kvm":
        cmd += ["-accel", "kvm", "-cpu", "host"]
    else:
        cmd += ["-accel", "tcg", "-cpu", "qemu64"]
    return cmd


RFB_BUSY = "RFB could not bind any port"
POLL_S = 0.05  # how often the harness looks at COM1


def boot(platform, iso, timeout=120, mem=256, keep_dir=None, stream=None,
         inputs=None, keyboard=None):
    """Boot iso on platform; return a BootResult. stream(text) sees the
    serial output as it arrives.

    inputs: (regex, bytes or str) pairs, the serial input to script. Pair k
    is armed once pair k-1 was sent; it is sent when the output that
    followed pair k-1's match (all output, for the first) matches regex
    (re.M). The result's inputs_sent says how many were. keyboard: a file
    descriptor (a terminal) whose bytes go to COM1 as they are typed.

    Bochs' rfb display needs a free TCP port in 5900-5949; when none is
    free it exits before the guest runs (docs/platforms.md). That start-up
    failure is retried a few times; nothing mica did is repeated."""
    for attempt in range(4):
        res = _boot_once(platform, iso, timeout, mem, keep_dir, stream, inputs,
                         keyboard)
        if not (platform in BOCHS_MODELS and res.status is None
                and RFB_BUSY in res.emulator_output):
            return res
        time.sleep(2 + 3 * attempt)
    return res


def _boot_once(platform, iso, timeout, mem, keep_dir, stream, inputs,
               keyboard):
    workdir = os.path.abspath(keep_dir or tempfile.mkdtemp(prefix="mica-boot-"))
    os.makedirs(workdir, exist_ok=True)
    con = _Console(os.path.join(workdir, "serial.log"), stream, inputs,
                   keyboard)
    if platform in BOCHS_MODELS:
        cmd = _bochs_cmd(iso, BOCHS_MODELS[platform], mem, workdir, con.dev)
    elif platform in ("qemu-tcg", "qemu-kvm"):
        cmd = _qemu_cmd(iso, platform[5:], mem, con.dev)
    else:
        con.close()
        raise ValueError("unknown platform " + platform)
    start = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=workdir, stdin=subprocess.DEVNULL,
                            stdout=open(os.path.join(workdir, "stdout.log"), "w"),
                            stderr=subprocess.STDOUT, start_new_session=True)
    timed_out = False
    while True:
        rc = proc.poll()
        if rc is not None:
            break
        if time.monotonic() - start > timeout:
            timed_out = True
            _kill(proc)
            rc = proc.wait()
            break
        con.poll()
        time.sleep(POLL_S)
    log = con.close()
    seconds = time.monotonic() - start
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
    res.inputs_sent = con.sent - (1 if con.pending else 0)
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
