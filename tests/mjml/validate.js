// Validates MJML files with the reference implementation, strict level.
// Usage: node validate.js FILE...   Prints one JSON line per file: {file, errors: [...]}.
const fs = require("fs");
const mjml2html = require("mjml");

(async () => {
  let failed = false;
  for (const file of process.argv.slice(2)) {
    const source = fs.readFileSync(file, "utf8");
    let errors = [];
    try {
      const result = await mjml2html(source, { validationLevel: "soft", filePath: file });
      errors = result.errors.map((e) => e.formattedMessage || e.message);
    } catch (err) {
      errors = [String(err && err.message ? err.message : err)];
    }
    if (errors.length) failed = true;
    console.log(JSON.stringify({ file, errors }));
  }
  process.exit(failed ? 1 : 0);
})();
