#!/usr/bin/env python3
"""Every message template of the vendor documents, filled with realistic values.

Reads the four product documents (gateway error log 000, connector faults 001, IPsec messages
002, Deep Security update troubleshooting 004) and prints one JSON object per line:
{"doc": "000", "product": "fsigk", "severity": "critical"|None, "template": ..., "instances": [...]}.
Each template is filled twice, with different values in every placeholder, so a pattern that
only accepts the document's example value fails. A message added to a document, or left out of
the catalogue, shows up here: the extraction reads the documents, not a list.
"""
import json
import re
import sys
from pathlib import Path

# Two realistic values for each placeholder of document 000 (the names are the document's).
FILL_000 = {
    "場所": ("http:main.c:1289", "smtp/child.c:377"),
    "アドレス": ("0.0.0.0", "192.168.10.5"),
    "ポート": ("9080", "10025"),
    "最大値": ("200", "64"),
    "暫定値": ("300", "96"),
    "ホスト名": ("mail.example.com", "10.0.0.25"),
    "ホストのポート": ("25", "587"),
    "エラー内容": ("Name or service not known", "Temporary failure in name resolution"),
    "エラーメッセージ": ("Connection refused", "No route to host"),
    "エラーコード": ("111", "113"),
    "エラー メッセージ": ("No space left on device", "Invalid argument"),
    "エラー コード": ("28", "22"),
    "応答行": ("550 5.7.1 Relaying denied", "451 4.3.0 Temporary local problem"),
    "Maximum value": ("32", "250"),
    "URL": ("http://downloads.example.com/big.iso", "http://10.1.2.3:8080/a/b?c=d"),
    "カウント": ("4096", "1048576"),
    "バイト制限": ("17408", "20000"),
    "ディレクトリ名": ("/tmp", "/var/opt/fsigk/tmp"),
    "リターンコード": ("-1", "-28"),
    "検出時のアクション": ("block", "delete"),
    "送信コマンド名": ("RCPT TO", "DATA END"),
    "インデックス": ("3", "17"),
    "チャイルドのステータス": ("139", "134"),
    "ステータス文字列": ("SIGSEGV", "SIGABRT"),
    "ID": ("7", "12"),
    "処理 ID": ("2211", "30415"),
    "チャイルドプロセス ID": ("2304", "30502"),
    "Id": ("5", "9"),
}

PRODUCTS = {"000": "fsigk", "001": "amp", "002": "ipsec", "004": "ds"}


def doc_path(docs, num):
    found = sorted(docs.glob(num + "_*.txt"))
    if not found:
        sys.exit(f"vendor_messages: no document {num}_*.txt in {docs}")
    return found[0]


def fill_000(text, k):
    def sub(m):
        name = re.sub(r"\s+", " ", m.group(1)).strip()
        if name not in FILL_000:
            sys.exit(f"vendor_messages: document 000 has a placeholder <{name}> with no value")
        return FILL_000[name][k]

    return re.sub(r"<([^<>]+)>", sub, text)


def join_wrapped(lines):
    """The document wraps long messages; a wrap inside <...> is no space, else one space."""
    out = ""
    for ln in lines:
        ln = ln.strip()
        if not ln:
            continue
        if not out:
            out = ln
        elif out.count("<") > out.count(">"):
            out += ln
        else:
            out += " " + ln
    return re.sub(r" {2,}", " ", out)


def messages_000(text):
    """Blocks between a line 'メッセージ' and the next '説明'; fenced blocks are one message each."""
    lines = text.splitlines()
    res = []
    i = 0
    while i < len(lines):
        if lines[i].strip() != "メッセージ":
            i += 1
            continue
        i += 1
        block = []
        while i < len(lines) and lines[i].strip() != "説明":
            block.append(lines[i])
            i += 1
        if any(b.strip().startswith("```") for b in block):
            cur, inside = [], False
            for b in block:
                if b.strip().startswith("```"):
                    if inside:
                        res.append(join_wrapped(cur))
                        cur = []
                    inside = not inside
                elif inside:
                    cur.append(b)
        else:
            res.extend(b.strip() for b in block if b.strip())
    return res


def level_000(msg):
    m = re.match(r"(CRITICAL/WARNING|CRITICAL|WARNING) ", msg)
    return m.group(1).lower() if m else None


def messages_001(text):
    """Each fault heading: '障害N:title' or 'エラーN:title', as the connector's UI shows it."""
    return [ln.strip() for ln in text.splitlines() if re.match(r"\s*(障害|エラー)\d+\s*[:：]", ln)]


# Placeholders of document 002, each with two values; applied in this order.
SUBS_002 = [
    (r"`(?!trusted')[^`']*'", ("`branch-office'", "`vpn_to_dc2'")),
    (r"<initiator/responder>", ("initiator", "responder")),
    (r"\bsource->dest\b", ("10.1.1.5->10.2.2.9", "192.0.2.1->198.51.100.7")),
    (r"\bproto:port->port\b", ("tcp:1025->80", "udp:500->500")),
    (r"\bremote-address\b(?= :| for)", ("192.0.2.44", "2001:db8::7")),
    (r"\bremote address\b", ("198.51.100.2", "203.0.113.9")),
    (r"\bspi-value\b", ("0x1a2b3c4d", "0x00000400")),
    (r"\bid <-> id\b", ("10.1.0.0/16 <-> 10.2.0.0/16", "192.0.2.10 <-> 198.51.100.20")),
    (r"\bid and id\b", ("192.0.2.10 and 198.51.100.20", "10.0.0.1 and 10.0.0.2")),
    (r"(?<!remote )\bid\b", ("10.20.30.40", "tunnel-7")),
    (r"\b0xn\b", ("0x2a", "0x5dc")),
    (r"\bn\b", ("42", "1024")),
    (r"\[role\]", ("[initiator]", "[responder]")),
    (r"\breason\b", ("timeout", "authentication failed")),
    (r"\bstring\b", ("NO_PROPOSAL_CHOSEN", "INVALID_ID_INFORMATION")),
]


def messages_002(text):
    """Every line of the appendix written in ASCII that is not a heading: the messages."""
    res = []
    for ln in text.splitlines():
        s = ln.strip()
        if not s or not s.isascii() or re.match(r"B(\.\d+)*\s", s) or s.startswith("B "):
            continue
        res.append(s)
    return res


def fill_002(msg, k):
    for pat, vals in SUBS_002:
        msg = re.sub(pat, lambda m: vals[k], msg)
    return msg


def messages_004(text):
    """Log lines quoted by document 004, and the manager events, alerts and error names it cites."""
    res = []
    lines = text.splitlines()
    for ln in lines:
        s = ln.strip()
        if s.startswith("Err "):
            res.append(s)
    # iau.log: each record is a header line '[time pid|tid] [level] Func [file(line)]' then text
    for i, ln in enumerate(lines[:-1]):
        if re.match(r"\[\d{4}-[A-Z][a-z]{2}-\d\d ", ln.strip()):
            nxt = lines[i + 1].strip()
            if nxt and not nxt.startswith("["):
                res.append(nxt)
    for ln in lines:
        if ln.strip().startswith("std::exception::what:"):
            res.append(ln.strip())
    for m in re.finditer(r"イベントID (\d+) : ([^」\s]+)", text):
        res.append(f"イベントID {m.group(1)} : {m.group(2)}")
    for m in re.finditer(r"「(コンポーネントをアップデートできませんでした: \[[^\]]+\])」", text):
        res.append(m.group(1))
    for m in re.finditer(r"^イベント:(.+)$", text, re.M):
        res.append(m.group(1).strip())
    for m in re.finditer(r"「((?:Busy with [a-z ]+update)|IAU[A-Z_]+(?:\(-?\d+\))?)」", text):
        res.append(m.group(1))
    for m in re.finditer(r"イベント「(セキュリティアップデートの失敗)」", text):
        res.append(m.group(1))
    seen, out = set(), []
    for r in res:
        if r not in seen:
            seen.add(r)
            out.append(r)
    return out


def fill_004(msg, k):
    msg = msg.replace("yyyymmdd hh:mm:ss", ("20191104 03:12:45", "20200229 23:59:01")[k])
    if k == 1:
        msg = msg.replace(" 2272 1592 ", " 4120 77 ")
        msg = msg.replace("c3t536871936/151100", "c3t1207959552/173100").replace("3PAgPcpP", "Zx91kQ2a")
        msg = msg.replace("ssaptn.511", "lpt$vpn.735")
    return msg


def main():
    docs = Path(sys.argv[1])
    out = []
    t = doc_path(docs, "000").read_text(encoding="utf-8")
    for m in messages_000(t):
        out.append(("000", level_000(m), m, [fill_000(m, 0), fill_000(m, 1)]))
    t = doc_path(docs, "001").read_text(encoding="utf-8")
    for m in messages_001(t):
        out.append(("001", None, m, [m, re.sub(r"\s*([:：])\s*", r"\1 ", m, count=1)]))
    t = doc_path(docs, "002").read_text(encoding="utf-8")
    for m in messages_002(t):
        out.append(("002", None, m, [fill_002(m, 0), fill_002(m, 1)]))
    t = doc_path(docs, "004").read_text(encoding="utf-8")
    for m in messages_004(t):
        out.append(("004", None, m, [fill_004(m, 0), fill_004(m, 1)]))
    for doc, sev, tmpl, inst in out:
        print(json.dumps({"doc": doc, "product": PRODUCTS[doc], "severity": sev,
                          "template": tmpl, "instances": inst}, ensure_ascii=False))


if __name__ == "__main__":
    main()
