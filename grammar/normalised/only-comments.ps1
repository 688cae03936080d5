# A runbook that is nothing but comments.
<#
    .SYNOPSIS
    Placeholder.
#>
