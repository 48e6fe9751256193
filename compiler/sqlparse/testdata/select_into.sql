select * into new_table from old_table
