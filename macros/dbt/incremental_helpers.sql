{#- The pieces an incremental materialization written in Jinja assembles:
    schema-change handling, the strategies' SQL and the column helpers
    they share. gdbt's own incremental materialization prints the same
    statements from Go; these are for a project's own materializations
    (and for a project that calls them by name). -#}

{#- on_schema_change: one of four values; anything else falls back to the
    default, with a note in the debug log. -#}
{% macro incremental_validate_on_schema_change(on_schema_change, default='ignore') %}
    {%- if on_schema_change in ['sync_all_columns', 'append_new_columns', 'fail', 'ignore'] -%}
        {{ return(on_schema_change) }}
    {%- endif -%}
    {%- do log('Invalid value for on_schema_change (%s) specified. Setting default value of %s.' % (on_schema_change, default)) -%}
    {{ return(default) }}
{% endmacro %}

{#- Columns of source_columns whose name target_columns lacks. -#}
{% macro diff_columns(source_columns, target_columns) %}
    {%- set target_names = target_columns | map(attribute='column') | list -%}
    {%- set missing = [] -%}
    {%- for column in source_columns if column.name not in target_names -%}
        {%- do missing.append(column) -%}
    {%- endfor -%}
    {{ return(missing) }}
{% endmacro %}

{#- Columns present on both sides whose type changed in a way widening a
    string cannot absorb: [{column_name, new_type}]. -#}
{% macro diff_column_data_types(source_columns, target_columns) %}
    {{ return(adapter.dispatch('diff_column_data_types', 'dbt')(source_columns, target_columns)) }}
{% endmacro %}
{% macro default__diff_column_data_types(source_columns, target_columns) %}
    {%- set changed = [] -%}
    {%- for source in source_columns -%}
        {%- set target = target_columns | selectattr('name', 'equalto', source.name) | list | first -%}
        {%- if target and source.expanded_data_type != target.expanded_data_type and not source.can_expand_to(other_column=target) -%}
            {%- do changed.append({'column_name': target.name, 'new_type': source.expanded_data_type}) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(changed) }}
{% endmacro %}

{% macro check_for_schema_changes(source_relation, target_relation) %}
    {{ return(adapter.dispatch('check_for_schema_changes', 'dbt')(source_relation, target_relation)) }}
{% endmacro %}
{% macro default__check_for_schema_changes(source_relation, target_relation) %}
    {%- set source_columns = adapter.get_columns_in_relation(source_relation) -%}
    {%- set target_columns = adapter.get_columns_in_relation(target_relation) -%}
    {%- set source_not_in_target = diff_columns(source_columns, target_columns) -%}
    {%- set target_not_in_source = diff_columns(target_columns, source_columns) -%}
    {%- set new_target_types = diff_column_data_types(source_columns, target_columns) -%}
    {%- set changed = source_not_in_target != [] or target_not_in_source != [] or new_target_types != [] -%}
    {%- set report -%}
    In {{ target_relation }}:
        Schema changed: {{ changed }}
        Source columns not in target: {{ source_not_in_target }}
        Target columns not in source: {{ target_not_in_source }}
        New column types: {{ new_target_types }}
    {%- endset -%}
    {%- do log(report) -%}
    {{ return({
        'schema_changed': changed,
        'source_not_in_target': source_not_in_target,
        'target_not_in_source': target_not_in_source,
        'source_columns': source_columns,
        'target_columns': target_columns,
        'new_target_types': new_target_types
    }) }}
{% endmacro %}

{#- Makes the target's columns follow the source's, as far as
    on_schema_change allows. -#}
{% macro sync_column_schemas(on_schema_change, target_relation, schema_changes_dict) %}
    {{ return(adapter.dispatch('sync_column_schemas', 'dbt')(on_schema_change, target_relation, schema_changes_dict)) }}
{% endmacro %}
{% macro default__sync_column_schemas(on_schema_change, target_relation, schema_changes_dict) %}
    {%- set added = schema_changes_dict['source_not_in_target'] -%}
    {%- set removed = schema_changes_dict['target_not_in_source'] -%}
    {%- set retyped = schema_changes_dict['new_target_types'] -%}
    {%- if on_schema_change == 'append_new_columns' -%}
        {%- if added | length > 0 -%}
            {%- do alter_relation_add_remove_columns(target_relation, added, none) -%}
        {%- endif -%}
    {%- elif on_schema_change == 'sync_all_columns' -%}
        {%- if added | length > 0 or removed | length > 0 -%}
            {%- do alter_relation_add_remove_columns(target_relation, added, removed) -%}
        {%- endif -%}
        {%- for change in retyped -%}
            {%- do alter_column_type(target_relation, change['column_name'], change['new_type']) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- set report -%}
    In {{ target_relation }}:
        Schema change approach: {{ on_schema_change }}
        Columns added: {{ added }}
        Columns removed: {{ removed }}
        Data types changed: {{ retyped }}
    {%- endset -%}
    {%- do log(report) -%}
{% endmacro %}

{#- The columns to insert (the source's), after failing or syncing as
    on_schema_change says; {} when changes are ignored. -#}
{% macro process_schema_changes(on_schema_change, source_relation, target_relation) %}
    {{ return(adapter.dispatch('process_schema_changes', 'dbt')(on_schema_change, source_relation, target_relation)) }}
{% endmacro %}
{% macro default__process_schema_changes(on_schema_change, source_relation, target_relation) %}
    {%- if on_schema_change == 'ignore' -%}
        {{ return({}) }}
    {%- endif -%}
    {%- set changes = check_for_schema_changes(source_relation, target_relation) -%}
    {%- if changes['schema_changed'] -%}
        {%- if on_schema_change == 'fail' -%}
            {%- set message -%}
              The source and target schemas on this incremental model are out of sync!
              They can be reconciled in several ways:
                - set the `on_schema_change` config to either append_new_columns or sync_all_columns, depending on your situation.
                - Re-run the incremental model with `full_refresh: True` to update the target schema.
                - update the schema manually and re-run the process.

              Additional troubleshooting context:
                 Source columns not in target: {{ changes['source_not_in_target'] }}
                 Target columns not in source: {{ changes['target_not_in_source'] }}
                 New column types: {{ changes['new_target_types'] }}
            {%- endset -%}
            {%- do exceptions.raise_compiler_error(message) -%}
        {%- endif -%}
        {%- do sync_column_schemas(on_schema_change, target_relation, changes) -%}
    {%- endif -%}
    {{ return(changes['source_columns']) }}
{% endmacro %}

{#- One alter statement adding and dropping columns. -#}
{% macro alter_relation_add_remove_columns(relation, add_columns=none, remove_columns=none) -%}
    {{ return(adapter.dispatch('alter_relation_add_remove_columns', 'dbt')(relation, add_columns, remove_columns)) }}
{% endmacro %}
{% macro default__alter_relation_add_remove_columns(relation, add_columns, remove_columns) %}
    {%- set changes = [] -%}
    {%- for column in add_columns or [] -%}
        {%- do changes.append('add column ' ~ column.quoted ~ ' ' ~ column.expanded_data_type) -%}
    {%- endfor -%}
    {%- for column in remove_columns or [] -%}
        {%- do changes.append('drop column ' ~ column.quoted) -%}
    {%- endfor -%}
    {%- do run_query('alter ' ~ relation.type ~ ' ' ~ relation.render() ~ '\n    ' ~ changes | join(',\n    ')) -%}
{% endmacro %}

{#- The columns a merge updates: merge_update_columns, or every
    destination column but merge_exclude_columns. -#}
{% macro get_merge_update_columns(merge_update_columns, merge_exclude_columns, dest_columns) %}
    {{ return(adapter.dispatch('get_merge_update_columns', 'dbt')(merge_update_columns, merge_exclude_columns, dest_columns)) }}
{% endmacro %}
{% macro default__get_merge_update_columns(merge_update_columns, merge_exclude_columns, dest_columns) %}
    {%- if merge_update_columns and merge_exclude_columns -%}
        {{ exceptions.raise_compiler_error('Model cannot specify merge_update_columns and merge_exclude_columns. Please update model to use only one config') }}
    {%- endif -%}
    {%- if merge_update_columns -%}
        {{ return(merge_update_columns) }}
    {%- endif -%}
    {%- set excluded = (merge_exclude_columns or []) | map('lower') | list -%}
    {%- set kept = [] -%}
    {%- for column in dest_columns if column.column | lower not in excluded -%}
        {%- do kept.append(column.quoted) -%}
    {%- endfor -%}
    {{ return(kept) }}
{% endmacro %}

{#- Strategies: each takes dbt's argument dict (target_relation,
    temp_relation, unique_key, dest_columns, incremental_predicates) and
    returns the statement. -#}
{% macro get_incremental_append_sql(arg_dict) %}
    {{ return(adapter.dispatch('get_incremental_append_sql', 'dbt')(arg_dict)) }}
{% endmacro %}
{% macro default__get_incremental_append_sql(arg_dict) %}
    {%- do return(get_insert_into_sql(arg_dict['target_relation'], arg_dict['temp_relation'], arg_dict['dest_columns'])) -%}
{% endmacro %}

{% macro get_incremental_delete_insert_sql(arg_dict) %}
    {{ return(adapter.dispatch('get_incremental_delete_insert_sql', 'dbt')(arg_dict)) }}
{% endmacro %}
{% macro default__get_incremental_delete_insert_sql(arg_dict) %}
    {%- do return(get_delete_insert_merge_sql(arg_dict['target_relation'], arg_dict['temp_relation'], arg_dict['unique_key'],
        arg_dict['dest_columns'], arg_dict['incremental_predicates'])) -%}
{% endmacro %}

{% macro get_incremental_merge_sql(arg_dict) %}
    {{ return(adapter.dispatch('get_incremental_merge_sql', 'dbt')(arg_dict)) }}
{% endmacro %}
{% macro default__get_incremental_merge_sql(arg_dict) %}
    {%- do return(get_merge_sql(arg_dict['target_relation'], arg_dict['temp_relation'], arg_dict['unique_key'],
        arg_dict['dest_columns'], arg_dict['incremental_predicates'])) -%}
{% endmacro %}

{% macro get_incremental_insert_overwrite_sql(arg_dict) %}
    {{ return(adapter.dispatch('get_incremental_insert_overwrite_sql', 'dbt')(arg_dict)) }}
{% endmacro %}
{% macro default__get_incremental_insert_overwrite_sql(arg_dict) %}
    {%- do return(get_insert_overwrite_merge_sql(arg_dict['target_relation'], arg_dict['temp_relation'],
        arg_dict['dest_columns'], arg_dict['incremental_predicates'])) -%}
{% endmacro %}

{% macro get_incremental_default_sql(arg_dict) %}
    {{ return(adapter.dispatch('get_incremental_default_sql', 'dbt')(arg_dict)) }}
{% endmacro %}
{% macro default__get_incremental_default_sql(arg_dict) %}
    {%- do return(get_incremental_append_sql(arg_dict)) -%}
{% endmacro %}

{% macro get_incremental_microbatch_sql(arg_dict) %}
    {{ return(adapter.dispatch('get_incremental_microbatch_sql', 'dbt')(arg_dict)) }}
{% endmacro %}
{% macro default__get_incremental_microbatch_sql(arg_dict) %}
    {{ exceptions.raise_not_implemented('microbatch materialization strategy not implemented for adapter ' + adapter.type()) }}
{% endmacro %}

{#- The statements themselves. -#}
{% macro get_insert_into_sql(target_relation, temp_relation, dest_columns) %}
    {%- set columns = get_quoted_csv(dest_columns | map(attribute='name')) %}

    insert into {{ target_relation }} ({{ columns }})
    (
        select {{ columns }}
        from {{ temp_relation }}
    )

{% endmacro %}

{% macro get_merge_sql(target, source, unique_key, dest_columns, incremental_predicates=none) -%}
    {#- predicates= is the argument's older name -#}
    {%- set incremental_predicates = kwargs.get('predicates', incremental_predicates) %}
  {{ adapter.dispatch('get_merge_sql', 'dbt')(target, source, unique_key, dest_columns, incremental_predicates) }}
{%- endmacro %}

{% macro get_merge_unique_key_match(source_unique_key, target_unique_key) %}
    {{ return(adapter.dispatch('get_merge_unique_key_match', 'dbt')(source_unique_key, target_unique_key)) }}
{% endmacro %}
{% macro default__get_merge_unique_key_match(source_unique_key, target_unique_key) -%}
    {{ return(equals(source_unique_key, target_unique_key) | trim) }}
{%- endmacro %}

{#- merge: rows matching on the unique key (one column or several) are
    updated, the others inserted; without a key every row is inserted. -#}
{% macro default__get_merge_sql(target, source, unique_key, dest_columns, incremental_predicates=none) -%}
    {%- set conditions = [] + (incremental_predicates or []) -%}
    {%- set columns = get_quoted_csv(dest_columns | map(attribute='name')) -%}
    {%- set update_columns = get_merge_update_columns(config.get('merge_update_columns'), config.get('merge_exclude_columns'), dest_columns) -%}
    {%- set header = config.get('sql_header', none) -%}
    {%- if not unique_key -%}
        {%- do conditions.append('FALSE') -%}
    {%- elif unique_key is sequence and unique_key is not mapping and unique_key is not string -%}
        {%- for key in unique_key -%}
            {%- do conditions.append('\n                    DBT_INTERNAL_SOURCE.' ~ key ~ ' = DBT_INTERNAL_DEST.' ~ key ~ '\n                ') -%}
        {%- endfor -%}
    {%- else -%}
        {%- do conditions.append(get_merge_unique_key_match(('DBT_INTERNAL_SOURCE.' ~ unique_key) | trim, ('DBT_INTERNAL_DEST.' ~ unique_key) | trim)) -%}
    {%- endif %}

    {{ header if header is not none }}

    merge into {{ target }} as DBT_INTERNAL_DEST
        using {{ source }} as DBT_INTERNAL_SOURCE
        on {{ '(' ~ conditions | join(') and (') ~ ')' }}

    {% if unique_key -%}
    when matched then update set
        {% for column in update_columns -%}
            {{ column }} = DBT_INTERNAL_SOURCE.{{ column }}
            {%- if not loop.last %}, {%- endif %}
        {%- endfor %}
    {% endif %}

    when not matched then insert
        ({{ columns }})
    values
        ({{ columns }})

{% endmacro %}

{#- delete+insert: rows whose key the new data holds are deleted first. -#}
{% macro get_delete_insert_merge_sql(target, source, unique_key, dest_columns, incremental_predicates) -%}
    {{ adapter.dispatch('get_delete_insert_merge_sql', 'dbt')(target, source, unique_key, dest_columns, incremental_predicates) }}
{%- endmacro %}
{% macro default__get_delete_insert_merge_sql(target, source, unique_key, dest_columns, incremental_predicates) -%}
    {%- set columns = get_quoted_csv(dest_columns | map(attribute='name')) -%}
    {%- if unique_key -%}
        {%- set keys = ([unique_key] if unique_key is string else unique_key) | join(', ') %}

        delete from {{ target }} as DBT_INTERNAL_DEST
        where ({{ keys }}) in (
            select distinct {{ keys }}
            from {{ source }} as DBT_INTERNAL_SOURCE
        )
        {%- for predicate in incremental_predicates or [] %}
            and {{ predicate }}
        {%- endfor %};

    {% endif %}

    insert into {{ target }} ({{ columns }})
    (
        select {{ columns }}
        from {{ source }}
    )
{%- endmacro %}

{#- insert_overwrite as a merge that deletes every target row the new
    data does not hold (for databases whose MERGE has "not matched by
    source"). -#}
{% macro get_insert_overwrite_merge_sql(target, source, dest_columns, predicates, include_sql_header=false) -%}
    {{ adapter.dispatch('get_insert_overwrite_merge_sql', 'dbt')(target, source, dest_columns, predicates, include_sql_header) }}
{%- endmacro %}
{% macro default__get_insert_overwrite_merge_sql(target, source, dest_columns, predicates, include_sql_header) -%}
    {%- set predicates = [] + (predicates or []) -%}
    {%- set columns = get_quoted_csv(dest_columns | map(attribute='name')) -%}
    {%- set header = config.get('sql_header', none) %}

    {{ header if header is not none and include_sql_header }}

    merge into {{ target }} as DBT_INTERNAL_DEST
        using {{ source }} as DBT_INTERNAL_SOURCE
        on FALSE

    when not matched by source
        {% if predicates %} and {{ predicates | join(' and ') }} {% endif %}
        then delete

    when not matched then insert
        ({{ columns }})
    values
        ({{ columns }})

{% endmacro %}
