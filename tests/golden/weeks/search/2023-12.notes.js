mapdaily.notes("2023-12",[]);
