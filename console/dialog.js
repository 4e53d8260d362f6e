// Dialog and form helpers shared by the ticket actions and the other forms: one modal <dialog>,
// a labelled field with its error slot, required-field checks, and the form's own error line.
import { html } from "./dom.js";
import { t } from "./i18n.js";

const dialog = () => document.getElementById("dialog");
const dialogForm = () => document.getElementById("dialog-form");

/** Marks a field invalid with a message under it; returns false for chaining. */
export function invalid(form, field, message) {
  const input = form.querySelector(`[name="${field}"]`);
  input?.setAttribute("aria-invalid", "true");
  const slot = form.querySelector(`[data-error-for="${field}"]`);
  if (slot) slot.textContent = message;
  return false;
}

export function resetErrors(form) {
  for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
  for (const el of form.querySelectorAll("[data-error-for]")) el.textContent = "";
  const top = form.querySelector(".form-error");
  if (top) top.textContent = "";
}

export function formError(form, message) {
  const top = form.querySelector(".form-error");
  if (top) top.textContent = message;
}

export const field = (key, label, input, hint = "") =>
  html`<label class="field">${label}${input}${hint ? html`<span class="muted">${hint}</span>` : ""}
    <span class="field-error" data-error-for="${key}"></span></label>`;

export const textarea = (key, required) =>
  html`<textarea name="${key}" id="in-${key}" ${required ? "required" : ""} maxlength="4000"></textarea>`;

/** Opens the dialog with `body`; `onSubmit(form)` returns true to close it. */
export function openDialog(title, body, submitText, onSubmit) {
  const form = dialogForm();
  form.innerHTML = String(html`<h2>${title}</h2>${body}
    <p class="form-error error" role="alert"></p>
    <div class="actions"><button type="button" value="cancel" data-cancel>${t("cancel")}</button>
    <button type="submit" class="primary" value="ok">${submitText}</button></div>`);
  const d = dialog();
  form.onsubmit = async (e) => {
    e.preventDefault();
    resetErrors(form);
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    try {
      if (await onSubmit(form)) d.close();
      else focusInvalid(form);
    } finally {
      button.disabled = false;
    }
  };
  form.querySelector("[data-cancel]").onclick = () => d.close();
  d.showModal();
  form.querySelector("textarea, input, select")?.focus();
}

/** The trimmed value of a required field, or "" with the field marked invalid. */
export const need = (form, key) => {
  const v = form.elements[key]?.value?.trim() ?? "";
  if (!v) invalid(form, key, `${t(key)}: ${t("required")}`);
  return v;
};

/** Puts the first refused field in view and in focus, so the message is read where the fix is. */
export function focusInvalid(form) {
  const first = form.querySelector('[aria-invalid="true"]');
  first?.focus();
  first?.scrollIntoView({ block: "center" });
}
