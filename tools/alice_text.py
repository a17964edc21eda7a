"""Write assets/text/alice.txt, the whole of Alice's Adventures in Wonderland, from the Canterbury
corpus file alice29.txt (Millennium Fulcrum Edition 2.9), as shipped in the PyPI sdist of
`brotli` 1.2.1 (tests/testdata/alice29.txt):

    pip download --no-deps --no-binary :all: brotli==1.2.1
    tar xzf brotli-1.2.1.tar.gz brotli-1.2.1/tests/testdata/alice29.txt
    python3 tools/alice_text.py brotli-1.2.1/tests/testdata/alice29.txt

The text is kept as published except: CRLF line ends become LF, the DOS end-of-file byte goes,
and the quotation marks become curly: the opening ` is “ and the ' that closes it (an open quote,
and no letter after it) is ”; every other ' (apostrophes) stays. Prints what it changed.
"""

import hashlib
import sys
from pathlib import Path

SHA256 = "7467306ee0feed4971260f3c87421154a05be571d944e9cb021a5713700c38f0"
OUT = Path(__file__).resolve().parent.parent / "assets" / "text" / "alice.txt"


def curly_quotes(text: str) -> tuple[str, int, int]:
    """The text with `…' quotes as “…”; also how many quotes opened and how many of them
    opened while another was still open (a quotation running on over paragraphs)."""
    out, inside, opened, reopened = [], False, 0, 0
    for j, ch in enumerate(text):
        if ch == "`":
            opened += 1
            reopened += inside
            inside = True
            out.append("“")
        elif ch == "'" and inside and not text[j + 1 : j + 2].isalpha():
            inside = False
            out.append("”")
        else:
            out.append(ch)
    return "".join(out), opened, reopened


def main(source: str) -> None:
    data = Path(source).read_bytes()
    if hashlib.sha256(data).hexdigest() != SHA256:
        sys.exit(f"error: {source} is not the expected alice29.txt (sha256 {SHA256})")
    text = data.decode("ascii").replace("\r\n", "\n").rstrip("\x1a")
    text, opened, reopened = curly_quotes(text)
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT}: {len(text)} characters; {opened} quotations opened, {reopened} while "
          f"one was open; {text.count('”')} closed")


if __name__ == "__main__":
    main(*sys.argv[1:])
