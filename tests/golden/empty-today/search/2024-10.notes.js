mapdaily.notes("2024-10",[[0,0,"Read [the code](https://github.com/example/code) first."]]);
