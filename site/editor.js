// The code editor: CodeMirror 6 with Python highlighting, line numbers and undo, behind a small handle
// that Python drives (window.gradcanvasEditor). build.py vendors CodeMirror from node_modules and writes
// the import map that resolves these bare names; nothing comes from a CDN.
import { basicSetup } from "codemirror";
import { indentWithTab } from "@codemirror/commands";
import { HighlightStyle, indentUnit, syntaxHighlighting } from "@codemirror/language";
import { python } from "@codemirror/lang-python";
import { Annotation, EditorState, Prec, StateEffect, StateField } from "@codemirror/state";
import { Decoration, EditorView, keymap } from "@codemirror/view";
import { tags } from "@lezer/highlight";

// The line an error points at: a decoration that follows its line while the user edits around it.
const setErrorLine = StateEffect.define();
const errorLineMark = Decoration.line({ class: "cm-gc-error-line" });
const errorLine = StateField.define({
  create: () => Decoration.none,
  update(marks, transaction) {
    marks = marks.map(transaction.changes);
    for (const effect of transaction.effects) if (effect.is(setErrorLine)) marks = effect.value;
    return marks;
  },
  provide: (field) => EditorView.decorations.from(field),
});

// Marks text put in by setText, so onChange reports only what the user typed.
const fromPage = Annotation.define();

// Colours from the page's variables, and light-dark() for the rest, so the editor follows the page's
// theme with the system setting. Where light-dark() is unknown, text keeps the page's text colour.
const theme = EditorView.theme({
  "&": {
    color: "var(--text)",
    backgroundColor: "var(--surface)",
    border: "1px solid var(--border)",
    borderRadius: "8px",
    fontSize: "0.9rem",
    maxHeight: "70vh",
  },
  "&.cm-focused": { outline: "2px solid var(--accent)", outlineOffset: "1px" },
  ".cm-scroller": { fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace", minHeight: "12em" },
  ".cm-content": { caretColor: "var(--text)" },
  ".cm-cursor, .cm-dropCursor": { borderLeftColor: "var(--text)" },
  ".cm-gutters": { backgroundColor: "var(--bg)", color: "var(--muted)", borderRight: "1px solid var(--border)" },
  ".cm-activeLine": { backgroundColor: "light-dark(rgb(47 111 222 / 6%), rgb(110 160 255 / 8%))" },
  ".cm-activeLineGutter": { backgroundColor: "light-dark(rgb(47 111 222 / 10%), rgb(110 160 255 / 14%))" },
  // Not by colour alone: a bar on the left marks the line too.
  ".cm-line.cm-gc-error-line": {
    backgroundColor: "light-dark(rgb(229 83 75 / 16%), rgb(240 112 106 / 22%))",
    boxShadow: "inset 3px 0 0 var(--error-border)",
  },
});

const highlighting = HighlightStyle.define([
  { tag: [tags.keyword, tags.controlKeyword, tags.definitionKeyword, tags.moduleKeyword, tags.operatorKeyword],
    color: "light-dark(#7b30b5, #c9a0ff)" },
  { tag: [tags.string, tags.special(tags.string)], color: "light-dark(#1a7f37, #7ee2a8)" },
  { tag: [tags.number, tags.bool, tags.null], color: "light-dark(#0550ae, #79c0ff)" },
  { tag: tags.comment, color: "var(--muted)", fontStyle: "italic" },
  { tag: [tags.function(tags.definition(tags.variableName)), tags.definition(tags.className)],
    color: "light-dark(#953800, #ffa657)" },
  { tag: tags.invalid, color: "var(--error-text)" },
]);

// Makes an editor in `parent` holding `text`, and returns the handle Python uses.
function create(parent, text = "") {
  const runListeners = [];
  const changeListeners = [];
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: text,
      extensions: [
        // Before basicSetup's keymap, where Mod-Enter would insert a blank line.
        Prec.highest(keymap.of([{
          key: "Mod-Enter",
          preventDefault: true,
          run: () => {
            for (const listener of runListeners) listener(view.state.doc.toString());
            return true;
          },
        }])),
        basicSetup,
        // Tab indents, as Python needs; Escape then Tab (or Ctrl+M) still moves the focus on.
        keymap.of([indentWithTab]),
        python(),
        indentUnit.of("    "),
        syntaxHighlighting(highlighting),
        theme,
        errorLine,
        EditorView.contentAttributes.of({ "aria-label": "Code" }),
        EditorView.updateListener.of((update) => {
          if (!update.docChanged || update.transactions.some((t) => t.annotation(fromPage))) return;
          const now = update.state.doc.toString();
          for (const listener of changeListeners) listener(now);
        }),
      ],
    }),
  });

  return {
    getText: () => view.state.doc.toString(),
    // Replaces the text (a preset, a link's code); undo brings the previous text back.
    setText(newText) {
      view.dispatch({
        changes: { from: 0, to: view.state.doc.length, insert: newText },
        effects: setErrorLine.of(Decoration.none),
        annotations: fromPage.of(true),
      });
    },
    // callback(text) on Ctrl+Enter (Cmd+Enter on a Mac).
    onRun(callback) {
      runListeners.push(callback);
    },
    // callback(text) after each change the user makes (not after setText).
    onChange(callback) {
      changeListeners.push(callback);
    },
    // Marks line n (1-based) and scrolls it into view; null, or a line not in the text, clears the mark.
    highlightLine(n) {
      const doc = view.state.doc;
      if (!Number.isInteger(n) || n < 1 || n > doc.lines) {
        view.dispatch({ effects: setErrorLine.of(Decoration.none) });
        return;
      }
      const line = doc.line(n);
      view.dispatch({
        effects: [
          setErrorLine.of(Decoration.set([errorLineMark.range(line.from)])),
          EditorView.scrollIntoView(line.from, { y: "center" }),
        ],
      });
    },
    focus: () => view.focus(),
  };
}

window.gradcanvasEditor = { create };
