# expect: MI201 MI304
# why: Token request passed as a splatted table whose Headers is a Dictionary[[String],[String]] filled by .Add, with a percent-encoded Graph resource; the fix deletes the table, the dictionary and its .Add lines with the request.
param(
    [Parameter(Mandatory = $true)]
    [string] $TeamId
)

Connect-MgGraph -Identity -NoWelcome

$owners = @(Get-MgGroupOwner -GroupId $TeamId -All)
if ($owners.Count -lt 2) {
    Write-Warning "Team $TeamId has $($owners.Count) owner(s); at least two are required"
}
Get-MgTeamChannel -TeamId $TeamId | Select-Object DisplayName, MembershipType | Format-Table -AutoSize | Out-String | Write-Output
