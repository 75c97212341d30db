"""Help menu: user guide, keyboard shortcuts, About with licences, diagnostic report."""
