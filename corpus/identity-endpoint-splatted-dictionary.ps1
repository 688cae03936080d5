# expect: MI201 MI304
# why: Token request passed as a splatted table whose Headers is a Dictionary[[String],[String]] filled by .Add, with a percent-encoded Graph resource; the fix deletes the table, the dictionary and its .Add lines with the request.
param(
    [Parameter(Mandatory = $true)]
    [string] $TeamId
)

$identityHeaders = New-Object 'System.Collections.Generic.Dictionary[[String],[String]]'
$identityHeaders.Add('X-IDENTITY-HEADER', $env:IDENTITY_HEADER)
[void]$identityHeaders.Remove('Metadata')
$identityHeaders.Add('Metadata', 'true')
$tokenRequest = @{
    Uri     = "$env:IDENTITY_ENDPOINT" + '?resource=https%3A%2F%2Fgraph.microsoft.com&api-version=2019-08-01'
    Headers = $identityHeaders
    Method  = 'GET'
}
$tokenReply = Invoke-RestMethod @tokenRequest
Connect-MgGraph -AccessToken (ConvertTo-SecureString $tokenReply.access_token -AsPlainText -Force) -NoWelcome

$owners = @(Get-MgGroupOwner -GroupId $TeamId -All)
if ($owners.Count -lt 2) {
    Write-Warning "Team $TeamId has $($owners.Count) owner(s); at least two are required"
}
Get-MgTeamChannel -TeamId $TeamId | Select-Object DisplayName, MembershipType | Format-Table -AutoSize | Out-String | Write-Output
