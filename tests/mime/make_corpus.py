"""Writes the project's own MIME test messages: Chinese subjects, names and file names in GBK and
UTF-8, RFC 2231 continuations, every transfer encoding, nested structures and broken mail.
Run once; the files are committed (tests/mime/corpus)."""
from __future__ import annotations

import base64
import quopri
from pathlib import Path

OUT = Path(__file__).resolve().parent / "corpus"


def b64(data: bytes) -> str:
    text = base64.b64encode(data).decode()
    return "\r\n".join(text[i:i + 76] for i in range(0, len(text), 76))


def ew(text: str, charset: str, kind: str = "B") -> str:
    data = text.encode(charset)
    if kind == "B":
        return f"=?{charset}?B?{base64.b64encode(data).decode()}?="
    q = "".join(chr(b) if chr(b).isalnum() and b < 128 else "=%02X" % b for b in data)
    return f"=?{charset}?Q?{q}?="


def write(name: str, text: str | bytes) -> None:
    data = text.encode("utf-8") if isinstance(text, str) else text
    (OUT / name).write_bytes(data)


def main() -> None:
    OUT.mkdir(exist_ok=True)
    write("utf8_subject_b.eml",
          f"From: {ew('张三', 'utf-8')} <zhang@example.org>\r\nTo: bob@example.org\r\n"
          f"Subject: {ew('期末考试安排', 'utf-8')}\r\nDate: Mon, 06 Jan 2025 09:00:00 +0800\r\n"
          "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
          f"Content-Transfer-Encoding: base64\r\n\r\n{b64('你好，世界！'.encode())}\r\n")
    write("gbk_subject_q.eml",
          f"From: {ew('李四', 'gbk', 'Q')} <li@example.org>\r\nTo: bob@example.org\r\n"
          f"Subject: {ew('你好', 'gbk', 'Q')} {ew('世界', 'gbk', 'Q')}\r\n"
          "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=gbk\r\n"
          "Content-Transfer-Encoding: 8bit\r\n\r\n".encode() + "中文正文（GBK）\r\n".encode("gbk"))
    write("gb2312_qp_body.eml",
          "Subject: =?gb2312?B?" + base64.b64encode("测试".encode("gb2312")).decode() + "?=\r\n"
          "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=gb2312\r\n"
          "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
          + quopri.encodestring("这是一封测试邮件。\r\nSecond line = ok\r\n".encode("gb2312")).decode()
          + "\r\n")
    write("attachment_rfc2231_utf8.eml",
          "From: a@example.org\r\nTo: b@example.org\r\nSubject: files\r\nMIME-Version: 1.0\r\n"
          "Content-Type: multipart/mixed; boundary=\"==b1\"\r\n\r\n--==b1\r\n"
          "Content-Type: text/plain; charset=us-ascii\r\n\r\nSee the attachments.\r\n--==b1\r\n"
          "Content-Type: application/pdf\r\n"
          "Content-Disposition: attachment;\r\n filename*=UTF-8''%E8%80%83%E8%AF%95%E5%AE%89%E6%8E%92.pdf\r\n"
          f"Content-Transfer-Encoding: base64\r\n\r\n{b64(b'%PDF-1.4 fake')}\r\n--==b1\r\n"
          "Content-Type: text/plain; charset=utf-8\r\n"
          "Content-Disposition: attachment;\r\n filename*0*=UTF-8''%E4%BD%A0%E5%A5%BD;\r\n"
          " filename*1=_notes.txt\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
          "笔记内容\r\n--==b1--\r\n")
    write("attachment_gbk_name.eml",
          "From: a@example.org\r\nTo: b@example.org\r\nSubject: gbk file\r\nMIME-Version: 1.0\r\n"
          "Content-Type: multipart/mixed; boundary=XYZ\r\n\r\n--XYZ\r\n"
          "Content-Type: text/plain\r\n\r\nbody\r\n--XYZ\r\n"
          f"Content-Type: application/octet-stream; name=\"{ew('成绩单.xls', 'gbk')}\"\r\n"
          f"Content-Disposition: attachment; filename=\"{ew('成绩单.xls', 'gbk')}\"\r\n"
          f"Content-Transfer-Encoding: base64\r\n\r\n{b64(bytes(range(256)))}\r\n--XYZ--\r\n")
    write("alternative_related.eml",
          "From: a@example.org\r\nTo: b@example.org\r\nSubject: html mail\r\nMIME-Version: 1.0\r\n"
          "Content-Type: multipart/alternative; boundary=alt\r\n\r\npreamble text\r\n--alt\r\n"
          "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
          + quopri.encodestring("Hello 世界 with a long line " .encode() * 4).decode() + "\r\n--alt\r\n"
          "Content-Type: multipart/related; boundary=rel; type=\"text/html\"\r\n\r\n--rel\r\n"
          "Content-Type: text/html; charset=utf-8\r\n\r\n<p>Hello <img src=\"cid:pic\"></p>\r\n--rel\r\n"
          "Content-Type: image/png\r\nContent-ID: <pic>\r\nContent-Disposition: inline\r\n"
          f"Content-Transfer-Encoding: base64\r\n\r\n{b64(b'PNGDATA' * 20)}\r\n--rel--\r\n--alt--\r\nepilogue\r\n")
    write("forwarded_rfc822.eml",
          "From: a@example.org\r\nTo: b@example.org\r\nSubject: Fwd: report\r\nMIME-Version: 1.0\r\n"
          "Content-Type: multipart/mixed; boundary=f\r\n\r\n--f\r\nContent-Type: text/plain\r\n\r\n"
          "forwarded below\r\n--f\r\nContent-Type: message/rfc822\r\n\r\n"
          f"From: c@example.org\r\nSubject: {ew('原始邮件', 'utf-8')}\r\n"
          "Content-Type: text/plain; charset=utf-8\r\n\r\n原文\r\n--f--\r\n")
    write("external_body.eml",
          "Subject: big file\r\nMIME-Version: 1.0\r\n"
          "Content-Type: message/external-body; access-type=URL;\r\n URL=\"ftp://example.org/big.iso\"\r\n\r\n"
          "Content-Type: application/octet-stream\r\n\r\n")
    write("audio_part.eml",
          "Subject: voice\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=a\r\n\r\n"
          "--a\r\nContent-Type: audio/basic\r\nContent-Transfer-Encoding: base64\r\n\r\n"
          f"{b64(bytes(range(200)))}\r\n--a--\r\n")
    write("missing_final_boundary.eml",
          "Subject: broken\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=m\r\n\r\n"
          "--m\r\nContent-Type: text/plain\r\n\r\nfirst\r\n--m\r\nContent-Type: text/plain\r\n\r\nsecond, no end\r\n")
    write("bad_base64.eml",
          "Subject: bad base64\r\nContent-Type: application/octet-stream\r\n"
          "Content-Transfer-Encoding: base64\r\n\r\nAAEC*AwQ\r\nBQ\r\n")
    write("smtpdemo_lf.eml", "subject: 你好\nni hao\nwo shi li jian\n")
    write("lf_only_multipart.eml",
          "Subject: lf\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=lf\n\n--lf\n"
          "Content-Type: text/plain; charset=utf-8\n\n一行\n--lf--\n")
    write("big5_body.eml",
          ("Subject: =?big5?B?" + base64.b64encode("繁體".encode("big5")).decode() + "?=\r\n"
           "Content-Type: text/plain; charset=big5\r\n\r\n").encode() + "繁體中文\r\n".encode("big5"))
    write("iso2022jp.eml",
          ("Subject: =?ISO-2022-JP?B?" + base64.b64encode("こんにちは".encode("iso-2022-jp")).decode()
           + "?=\r\n" "Content-Type: text/plain; charset=iso-2022-jp\r\n\r\n").encode()
          + "日本語\r\n".encode("iso-2022-jp"))
    write("digest.eml",
          "Subject: digest\r\nMIME-Version: 1.0\r\nContent-Type: multipart/digest; boundary=d\r\n\r\n"
          "--d\r\n\r\nSubject: one\r\n\r\nfirst\r\n--d\r\n\r\nSubject: two\r\n\r\nsecond\r\n--d--\r\n")


if __name__ == "__main__":
    main()
