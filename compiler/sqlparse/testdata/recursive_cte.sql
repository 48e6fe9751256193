with recursive tree(id, parent_id, depth) as (
    select id, parent_id, 0 from nodes where parent_id is null
    union all
    select n.id, n.parent_id, tree.depth + 1
    from nodes n join tree on n.parent_id = tree.id
)
select id, depth from tree
