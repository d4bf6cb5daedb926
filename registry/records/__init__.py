"""Credit records (信用记录): authorities, subjects, penalties (行政处罚), list entries (红黑名单), repairs, and the reads built on them."""
