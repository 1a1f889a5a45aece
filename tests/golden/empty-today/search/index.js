mapdaily.manifest({"months":["2024-10"],"current":"2024-10-14","readme":"README.md"});
