{#- What a project's own materializations call besides DDL text: hooks,
    grants, column and relation comments, indexes. gdbt's native
    materializations do the same in Go. -#}

{#- The hooks whose transaction flag is inside_transaction, each rendered
    in the node's context. Hooks that run outside the transaction first
    end the one the materialization may have opened. -#}
{% macro run_hooks(hooks, inside_transaction=True) %}
  {%- for hook in hooks if hook.transaction == inside_transaction %}
    {%- if loop.first and not inside_transaction %}
      {%- call statement(auto_begin=inside_transaction) %}
        commit;
      {%- endcall %}
    {%- endif %}
    {%- set hook_sql = render(hook.get('sql')) | trim %}
    {%- if hook_sql | length > 0 %}
      {%- call statement(auto_begin=inside_transaction) %}
        {{ hook_sql }}
      {%- endcall %}
    {%- endif %}
  {%- endfor %}
{% endmacro %}

{#- Grants. Postgres keeps a relation's grants across alter-rename, but a
    replaced relation starts without any, so only an updated relation
    needs to look at what it has before granting. -#}
{% macro copy_grants() %}
    {{ return(adapter.dispatch('copy_grants', 'dbt')()) }}
{% endmacro %}
{% macro default__copy_grants() %}
    {{ return(True) }}
{% endmacro %}

{% macro support_multiple_grantees_per_dcl_statement() %}
    {{ return(adapter.dispatch('support_multiple_grantees_per_dcl_statement', 'dbt')()) }}
{% endmacro %}
{%- macro default__support_multiple_grantees_per_dcl_statement() -%}
    {{ return(True) }}
{%- endmacro -%}

{% macro should_revoke(existing_relation, full_refresh_mode=True) %}
    {%- if not existing_relation -%}
        {{ return(False) }}
    {%- elif full_refresh_mode -%}
        {{ return(copy_grants()) }}
    {%- else -%}
        {{ return(True) }}
    {%- endif -%}
{% endmacro %}

{% macro get_show_grant_sql(relation) %}
    {{ return(adapter.dispatch('get_show_grant_sql', 'dbt')(relation)) }}
{% endmacro %}
{% macro default__get_show_grant_sql(relation) %}
    show grants on {{ relation.render() }}
{% endmacro %}

{% macro get_grant_sql(relation, privilege, grantees) %}
    {{ return(adapter.dispatch('get_grant_sql', 'dbt')(relation, privilege, grantees)) }}
{% endmacro %}
{%- macro default__get_grant_sql(relation, privilege, grantees) -%}
    grant {{ privilege }} on {{ relation.render() }} to {{ grantees | join(', ') }}
{%- endmacro -%}

{% macro get_revoke_sql(relation, privilege, grantees) %}
    {{ return(adapter.dispatch('get_revoke_sql', 'dbt')(relation, privilege, grantees)) }}
{% endmacro %}
{%- macro default__get_revoke_sql(relation, privilege, grantees) -%}
    {%- set quoted = [] -%}
    {%- for grantee in grantees -%}
        {%- do quoted.append(adapter.quote(grantee)) -%}
    {%- endfor -%}
    revoke {{ privilege }} on {{ relation.render() }} from {{ quoted | join(', ') }}
{%- endmacro -%}

{#- One statement per privilege (or per privilege and grantee where the
    database cannot name several grantees at once). -#}
{% macro get_dcl_statement_list(relation, grant_config, get_dcl_macro) %}
    {{ return(adapter.dispatch('get_dcl_statement_list', 'dbt')(relation, grant_config, get_dcl_macro)) }}
{% endmacro %}
{%- macro default__get_dcl_statement_list(relation, grant_config, get_dcl_macro) -%}
    {%- set statements = [] -%}
    {%- set together = support_multiple_grantees_per_dcl_statement() -%}
    {%- for privilege, grantees in grant_config.items() -%}
        {%- if together and grantees -%}
            {%- do statements.append(get_dcl_macro(relation, privilege, grantees)) -%}
        {%- else -%}
            {%- for grantee in grantees -%}
                {%- do statements.append(get_dcl_macro(relation, privilege, [grantee])) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(statements) }}
{%- endmacro %}

{% macro call_dcl_statements(dcl_statement_list) %}
    {{ return(adapter.dispatch('call_dcl_statements', 'dbt')(dcl_statement_list)) }}
{% endmacro %}
{% macro default__call_dcl_statements(dcl_statement_list) %}
    {%- call statement('grants') -%}
        {%- for dcl in dcl_statement_list %}
            {{ dcl }};
        {%- endfor %}
    {%- endcall -%}
{% endmacro %}

{% macro apply_grants(relation, grant_config, should_revoke) %}
    {{ return(adapter.dispatch('apply_grants', 'dbt')(relation, grant_config, should_revoke)) }}
{% endmacro %}
{% macro default__apply_grants(relation, grant_config, should_revoke=True) %}
    {%- if grant_config -%}
        {%- if should_revoke -%}
            {%- set current = adapter.standardize_grants_dict(run_query(get_show_grant_sql(relation))) -%}
            {%- set needs_granting = diff_of_two_dicts(grant_config, current) -%}
            {%- set needs_revoking = diff_of_two_dicts(current, grant_config) -%}
            {%- if not (needs_granting or needs_revoking) -%}
                {{ log('On ' ~ relation.render() ~ ': All grants are in place, no revocation or granting needed.') }}
            {%- endif -%}
        {%- else -%}
            {%- set needs_revoking = {} -%}
            {%- set needs_granting = grant_config -%}
        {%- endif -%}
        {%- if needs_granting or needs_revoking -%}
            {%- set dcl = get_dcl_statement_list(relation, needs_revoking, get_revoke_sql)
                        + get_dcl_statement_list(relation, needs_granting, get_grant_sql) -%}
            {%- if dcl -%}
                {{ call_dcl_statements(dcl) }}
            {%- endif -%}
        {%- endif -%}
    {%- endif -%}
{% endmacro %}

{#- Descriptions as comments, where persist_docs asks for them. Columns
    the relation lacks are reported and left out. -#}
{% macro persist_docs(relation, model, for_relation=true, for_columns=true) -%}
    {{ return(adapter.dispatch('persist_docs', 'dbt')(relation, model, for_relation, for_columns)) }}
{% endmacro %}

{% macro validate_doc_columns(relation, column_dict, existing_column_names) %}
    {%- set lowered = existing_column_names | map('lower') | list -%}
    {%- set kept = {} -%}
    {%- set missing = [] -%}
    {%- for name in column_dict -%}
        {%- if column_dict[name]['quote'] -%}
            {%- set present = name in existing_column_names -%}
        {%- else -%}
            {%- set present = (name | lower) in lowered -%}
        {%- endif -%}
        {%- if present -%}
            {%- do kept.update({name: column_dict[name]}) -%}
        {%- else -%}
            {%- do missing.append(name) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if missing -%}
        {{ exceptions.warn('In relation ' ~ relation.render() ~ ': The following columns are specified in the schema but are not present in the database: ' ~ missing | join(', ')) }}
    {%- endif -%}
    {{ return(kept) }}
{% endmacro %}

{% macro default__persist_docs(relation, model, for_relation, for_columns) -%}
    {%- if for_relation and config.persist_relation_docs() and model.description -%}
        {%- do run_query(alter_relation_comment(relation, model.description)) -%}
    {%- endif -%}
    {%- if for_columns and config.persist_column_docs() and model.columns -%}
        {%- set existing = adapter.get_columns_in_relation(relation) | map(attribute='name') | list -%}
        {%- set documented = validate_doc_columns(relation, model.columns, existing) -%}
        {%- set comment_sql = alter_column_comment(relation, documented) -%}
        {%- if comment_sql and comment_sql | trim | length > 0 -%}
            {%- do run_query(comment_sql) -%}
        {%- endif -%}
    {%- endif -%}
{% endmacro %}

{#- Indexes from the indexes config, one statement each. -#}
{% macro get_create_index_sql(relation, index_dict) -%}
    {{ return(adapter.dispatch('get_create_index_sql', 'dbt')(relation, index_dict)) }}
{% endmacro %}
{% macro default__get_create_index_sql(relation, index_dict) -%}
    {%- do return(None) -%}
{% endmacro %}

{% macro create_indexes(relation) -%}
    {{ adapter.dispatch('create_indexes', 'dbt')(relation) }}
{%- endmacro %}
{% macro default__create_indexes(relation) -%}
    {%- for index in config.get('indexes', default=[]) -%}
        {%- set index_sql = get_create_index_sql(relation, index) -%}
        {%- if index_sql -%}
            {%- do run_query(index_sql) -%}
        {%- endif -%}
    {%- endfor -%}
{% endmacro %}
