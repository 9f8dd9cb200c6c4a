// Organisation inputs (surveys/forms/fields.py): suggest names from the staff search as the person types.
// Without this script the input still works: the server finds the organisation by its full name.
for (const input of document.querySelectorAll("input[data-organization-search]")) {
  const list = document.getElementById(input.getAttribute("list"));
  let timer = null;
  let asked = "";
  input.addEventListener("input", () => {
    clearTimeout(timer);
    const query = input.value.trim();
    if (!list || query.length < 2 || query === asked) return;
    timer = setTimeout(async () => {
      asked = query;
      const url = new URL(input.dataset.organizationSearch, window.location.href);
      url.searchParams.set("q", query);
      try {
        const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
        if (!response.ok) return;
        const { results } = await response.json();
        list.replaceChildren(
          ...results.map((organization) => {
            const option = document.createElement("option");
            option.value = organization.name;
            return option;
          }),
        );
      } catch {
        // Offline or logged out: typing the whole name still works.
      }
    }, 150);
  });
}
