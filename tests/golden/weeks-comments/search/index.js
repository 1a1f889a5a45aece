mapdaily.manifest({"months":["2024-10","2024-01","2023-12"],"current":"2024-10-14","readme":"README.md"});
