mapdaily.notes("2024-01",[]);
