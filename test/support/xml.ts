import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';

/** An element as parsed by a strict XML parser: tag, attributes, text and child elements. */
export interface XmlElement {
  tag: string;
  attrs: Record<string, string>;
  text: string;
  children: XmlElement[];
}

const PYTHON = ['/usr/bin/python3', '/usr/local/bin/python3'].find((p) => existsSync(p)) ?? null;

/** Why XML cannot be parsed here, or null. The parser is Python's expat (strict XML 1.0). */
export function xmlParserSkipReason(): string | null {
  return PYTHON === null ? 'python3 (for its strict expat XML parser) is not installed' : null;
}

// Reads a document on stdin with expat through ElementTree; a well-formedness error exits 1 with it.
const SCRIPT = `
import json, sys
import xml.etree.ElementTree as ET
def walk(e):
    return {"tag": e.tag, "attrs": dict(e.attrib), "text": e.text or "", "children": [walk(c) for c in e]}
try:
    root = ET.fromstring(sys.stdin.buffer.read())
except ET.ParseError as error:
    print(str(error), file=sys.stderr)
    sys.exit(1)
print(json.dumps(walk(root)))
`;

/** Parses `xml` with a strict XML parser; rejects with the parser's message when it is not well-formed. */
export function parseXml(xml: string): Promise<XmlElement> {
  return new Promise((resolve, reject) => {
    if (PYTHON === null) {
      reject(new Error(xmlParserSkipReason() ?? ''));
      return;
    }
    const child = execFile(
      PYTHON,
      ['-c', SCRIPT],
      { timeout: 30_000, maxBuffer: 64 << 20 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`not well-formed XML: ${stderr.trim() || error.message}`));
        else resolve(JSON.parse(stdout) as XmlElement);
      },
    );
    child.stdin?.end(xml);
  });
}
