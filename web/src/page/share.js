// The Share button: copies the page's link (the state is all in the hash).
// Falls back to showing the link selected in a text field when the
// clipboard is not available (insecure context, permission refused).

/** elements: { button, status, field }; url() is the link to share. */
export function createShareButton({ button, status, field, url }) {
  let timer = 0;

  function say(message) {
    status.textContent = message;
    clearTimeout(timer);
    timer = setTimeout(() => {
      status.textContent = '';
    }, 4000);
  }

  function showField(link) {
    field.value = link;
    field.hidden = false;
    field.focus();
    field.select();
  }

  button.addEventListener('click', async () => {
    const link = url();
    try {
      if (!navigator.clipboard?.writeText) throw new Error('no clipboard');
      await navigator.clipboard.writeText(link);
      field.value = link;
      say('Link copied');
    } catch {
      showField(link);
      // The old copy command still works in some places where the clipboard API does not.
      let copied = false;
      try {
        copied = document.execCommand('copy');
      } catch {
        copied = false;
      }
      say(copied ? 'Link copied' : 'Copy the selected link');
    }
  });
}
