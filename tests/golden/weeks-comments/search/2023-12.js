mapdaily.papers("2023-12",[["2023-12-29","archived_papers/2023W52.md",[["Last week of 2023","","ISO 2023-W52"]]]]);
