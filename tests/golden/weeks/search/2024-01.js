mapdaily.papers("2024-01",[["2024-01-02","archived_papers/2024W01.md",[["First week of 2024","","ISO 2024-W01"]]]]);
