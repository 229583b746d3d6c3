// Parse a GIFT file with gift-pegjs (an independent GIFT grammar) and print the questions as JSON.
// Usage: node parse-gift.js FILE
"use strict";
const fs = require("fs");
const { parse } = require("gift-pegjs");

const text = fs.readFileSync(process.argv[2], "utf8");
try {
  process.stdout.write(JSON.stringify(parse(text)));
} catch (err) {
  const where = err.location ? `${err.location.start.line}:${err.location.start.column}: ` : "";
  process.stderr.write(`${process.argv[2]}:${where}${err.message}\n`);
  process.exit(1);
}
