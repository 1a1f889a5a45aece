mapdaily.papers("2024-10",[["2024-10-14","archived_papers/2024W42.md",[["The Monday Paper","https://arxiv.org/abs/2410.00001","Lab"]]]]);
